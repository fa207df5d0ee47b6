"""The persisted read model of scoring: campaign entries by campaign, kept up to date.

:class:`ScoringView` follows a store's notification log with eventsourcing's
tracking recorders (SQLite and PostgreSQL through one interface) and keeps, per
log and campaign, the entries that replay needs (rulebook versions, lifecycle
and facts, payloads decoded), writing each batch and its tracking position in
the same transaction. Rankings and explanations are replayed from it with the
pure core (:mod:`projections.replay`) as of any log position.
"""

from projections.view.base import ViewEntry, ViewRecorder
from projections.view.view import ScoringView

__all__ = ["ScoringView", "ViewEntry", "ViewRecorder"]
