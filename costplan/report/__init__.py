"""One result model per command, rendered as a rich table, JSON, Markdown or CSV."""
