"""Scores and rankings derived from the record: rulebooks, pure scoring, replay."""
