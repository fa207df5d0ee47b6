"""Offline verification: pure checks over entries and checkpoints, no database, no network."""
