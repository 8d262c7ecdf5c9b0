"""The `slipstream` command line (Typer + Rich)."""
