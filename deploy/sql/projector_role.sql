-- pingyi: the least-privilege role of the projection worker (`pingyi project`).
--
-- Run as the owner of the schema AFTER pingyi has created its tables, the read
-- model's included (`pingyi project --once` with the owner's URL creates the log
-- tables and the read model's tables, and catches up):
--
--   psql "postgresql://owner@host/db" -v projector_role=pingyi_projector -v schema=public \
--        -f deploy/sql/projector_role.sql
--
-- The worker then connects as that role with `?create=no` in its store URL.
-- It can read the log (SELECT only: it cannot INSERT, UPDATE, DELETE or TRUNCATE
-- ledger_events, pingyi_claims or pingyi_checkpoints, nor take the log's write
-- lock), and it can read and write only the read model's tables:
--
--   pingyi_view_entries, pingyi_view_logs   the read model (projections.view)
--   scoringview_tracking                    its tracking position (eventsourcing's
--                                           tracking table for the "ScoringView"
--                                           recorder: lower(name) || '_tracking')
--
-- DELETE is granted there because `ScoringView.rebuild` clears the read model
-- before projecting the log again; TRUNCATE is not. Safe to run again (roles and
-- grants are recomputed; nothing is dropped).
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', :'projector_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'projector_role') \gexec

SELECT format('GRANT USAGE ON SCHEMA %I TO %I', :'schema', :'projector_role') \gexec
SELECT format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', :'schema', :'projector_role') \gexec
SELECT format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', :'schema', :'projector_role') \gexec
SELECT format('GRANT SELECT ON %I.ledger_events, %I.pingyi_claims, %I.pingyi_checkpoints TO %I',
              :'schema', :'schema', :'schema', :'projector_role') \gexec
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.pingyi_view_entries, '
              '%I.pingyi_view_logs, %I.scoringview_tracking TO %I',
              :'schema', :'schema', :'schema', :'projector_role') \gexec
-- The log's write lock stays with the application role (app_role.sql).
SELECT format('REVOKE ALL ON FUNCTION %I.pingyi_lock_log() FROM PUBLIC', :'schema') \gexec
SELECT format('REVOKE ALL ON FUNCTION %I.pingyi_lock_log() FROM %I', :'schema', :'projector_role') \gexec
