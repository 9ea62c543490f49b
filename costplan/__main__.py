"""`python -m costplan` runs the CLI."""
from costplan.cli.app import main

main()
