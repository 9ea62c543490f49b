"""`python -m costplan` runs the CLI."""
from costplan.cli.entry import main

main()
