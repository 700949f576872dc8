"""`python -m haechi …` runs the command line."""

from haechi.cli.main import app

app()
