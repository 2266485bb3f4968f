"""ipledger: a ledger for tokenised patent revenue rights (Hong Kong IP financing sandbox)."""

__version__ = "0.1.0"
