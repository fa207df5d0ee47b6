"""The pingyi command."""
