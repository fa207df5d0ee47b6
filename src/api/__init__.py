"""HTTP service: thin over the ledger and projections."""
