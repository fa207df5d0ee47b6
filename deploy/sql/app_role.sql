-- pingyi: the least-privilege application role (SELECT and INSERT only).
--
-- Run as the owner of the schema AFTER pingyi has created its tables (start
-- pingyi once with the owner's URL, e.g. `pingyi init` or `pingyi verify`):
--
--   psql "postgresql://owner@host/db" -v app_role=pingyi_app -v schema=public \
--        -f deploy/sql/app_role.sql
--
-- The application then connects as that role with `?create=no` in its store URL.
-- It can read and append; it cannot UPDATE, DELETE or TRUNCATE anything (and the
-- tables' triggers refuse those to every user, the owner included). The write
-- lock that orders appends is taken through pingyi_lock_log(), a SECURITY
-- DEFINER function, because LOCK TABLE ... EXCLUSIVE would otherwise need UPDATE.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', :'app_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_role') \gexec

SELECT format('GRANT USAGE ON SCHEMA %I TO %I', :'schema', :'app_role') \gexec
SELECT format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', :'schema', :'app_role') \gexec
SELECT format('GRANT SELECT, INSERT ON %I.ledger_events, %I.pingyi_claims, %I.pingyi_checkpoints TO %I',
              :'schema', :'schema', :'schema', :'app_role') \gexec
SELECT format('GRANT USAGE ON SEQUENCE %I.ledger_events_notification_id_seq TO %I',
              :'schema', :'app_role') \gexec
SELECT format('REVOKE ALL ON FUNCTION %I.pingyi_lock_log() FROM PUBLIC', :'schema') \gexec
SELECT format('GRANT EXECUTE ON FUNCTION %I.pingyi_lock_log() TO %I', :'schema', :'app_role') \gexec
