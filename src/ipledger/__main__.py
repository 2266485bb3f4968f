"""`python -m ipledger`: the same as the `ipledger` command."""

from ipledger.cli import app

app()
