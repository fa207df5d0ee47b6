"""The record: entries, keys, signatures, hash chain, Merkle log and storage adapters."""
