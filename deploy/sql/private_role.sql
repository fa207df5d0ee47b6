-- pingyi: the two least-privilege roles of the private people store (PINGYI_PRIVATE_STORE).
--
-- The people store holds the evaluator pool's personal data (names, phones, ID
-- numbers, salts: vault.people). Give it its own database (recommended:
-- `pingyi_private`, so that no dump of the log's database ever holds personal
-- data), created by the owner with CONNECT revoked from PUBLIC:
--
--   psql "postgresql://owner@host/pingyi" -c 'CREATE DATABASE pingyi_private' \
--        -c 'REVOKE ALL ON DATABASE pingyi_private FROM PUBLIC'
--
-- Run this file as the owner, in the people store's database, AFTER the store's
-- schema and table exist (open the store once with the owner's URL, without
-- `create=no`: that creates the schema `pingyi_private` and its table):
--
--   psql "postgresql://owner@host/pingyi_private" -v private_role=pingyi_private \
--        -v reader_role=pingyi_private_reader -v schema=pingyi_private \
--        -v app_role=pingyi_app -v projector_role=pingyi_projector \
--        -f deploy/sql/private_role.sql
--
-- Every variable is required, and the four roles must be distinct. Both roles
-- connect with `?create=no` in the private store URL. Each may CONNECT to this
-- database and USE the schema `schema`, and on its table pingyi_people:
--
--   reader_role    the API (`pingyi serve`: the inspectors' reads, get and list)
--     SELECT                    nothing else: it cannot enrol, erase, delete or
--                               lock rows (SELECT ... FOR UPDATE needs UPDATE)
--   private_role   the office's `pingyi pool import` and `pingyi pool erase`, run
--                  from an administrator's machine or container, never by a service
--     SELECT                    reads (and SELECT ... FOR UPDATE before an erasure)
--     INSERT                    enrolment (`pingyi pool import`)
--     UPDATE of name, phone, id_number, salt, erased_at, erased_reason
--                               erasure (`pingyi pool erase` NULLs the personal
--                               columns and the salt and records when and why)
--
-- Nothing else: no DELETE, TRUNCATE or DDL (DROP needs ownership), no UPDATE of a
-- row's pseudonym, campaign, pool or public fields, no TEMPORARY or CREATE on the
-- database, and no privilege on any other schema of this database (revoked,
-- should the log's or the read model's tables share it). `app_role` and
-- `projector_role` name the log's roles (app_role.sql, projector_role.sql):
-- every privilege they hold on the people store's schema and tables is revoked
-- (skipped for a role that does not exist in this cluster).
--
-- Safe to run again, in one transaction: both roles' privileges here are revoked
-- and granted afresh, so nothing granted by an earlier version (or by hand) is
-- left over; their memberships in other roles are revoked and any SUPERUSER,
-- CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS attribute is removed (which
-- needs a superuser or CREATEROLE only if there is one to remove). Nothing is
-- dropped.
\set ON_ERROR_STOP on

SELECT :{?private_role} AND :{?reader_role} AND :{?schema} AND :{?app_role}
       AND :{?projector_role} AS pingyi_variables_set \gset
\if :pingyi_variables_set
\else
DO $$ BEGIN RAISE EXCEPTION 'private_role.sql needs -v private_role=ROLE -v reader_role=ROLE '
                            '-v schema=SCHEMA -v app_role=ROLE -v projector_role=ROLE'; END $$;
\endif
SELECT count(DISTINCT r) = 4 AS pingyi_roles_distinct
  FROM (VALUES (:'private_role'), (:'reader_role'), (:'app_role'), (:'projector_role')) AS v(r) \gset
\if :pingyi_roles_distinct
\else
DO $$ BEGIN RAISE EXCEPTION 'private_role.sql: private_role, reader_role, app_role and '
                            'projector_role must name four different roles'; END $$;
\endif

BEGIN;

-- The two roles: plain login roles, members of no other role.
SELECT format('CREATE ROLE %I LOGIN', r.rolname)
  FROM (VALUES (:'private_role'), (:'reader_role')) AS r(rolname)
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles p WHERE p.rolname = r.rolname) \gexec
SELECT format('ALTER ROLE %I %s', rolname,
              concat_ws(' ', CASE WHEN NOT rolcanlogin THEN 'LOGIN' END,
                             CASE WHEN rolsuper THEN 'NOSUPERUSER' END,
                             CASE WHEN rolcreatedb THEN 'NOCREATEDB' END,
                             CASE WHEN rolcreaterole THEN 'NOCREATEROLE' END,
                             CASE WHEN rolreplication THEN 'NOREPLICATION' END,
                             CASE WHEN rolbypassrls THEN 'NOBYPASSRLS' END))
  FROM pg_roles
 WHERE rolname IN (:'private_role', :'reader_role')
   AND (NOT rolcanlogin OR rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication
        OR rolbypassrls) \gexec
SELECT format('REVOKE %I FROM %I', g.rolname, m.rolname)
  FROM pg_auth_members a
  JOIN pg_roles g ON g.oid = a.roleid
  JOIN pg_roles m ON m.oid = a.member
 WHERE m.rolname IN (:'private_role', :'reader_role') \gexec

-- Nothing in any other schema of this database, for either role.
SELECT format(revoke, nspname, rolname)
  FROM pg_namespace,
       (VALUES (:'private_role'), (:'reader_role')) AS r(rolname),
       (VALUES ('REVOKE ALL ON SCHEMA %I FROM %I'),
               ('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I'),
               ('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I'),
               ('REVOKE ALL ON ALL ROUTINES IN SCHEMA %I FROM %I')) AS v(revoke)
 WHERE nspname <> :'schema' AND nspname <> 'information_schema' AND nspname NOT LIKE 'pg\_%' \gexec

-- Nothing on the people store for PUBLIC and the log's roles.
SELECT format(revoke, :'schema', grantee)
  FROM (SELECT 'PUBLIC' UNION ALL
        SELECT quote_ident(rolname) FROM pg_roles
         WHERE rolname IN (:'app_role', :'projector_role')) AS g(grantee),
       (VALUES ('REVOKE ALL ON SCHEMA %I FROM %s'),
               ('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %s'),
               ('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %s')) AS r(revoke) \gexec

-- Both roles start again from nothing on this database and the people schema (a
-- table's REVOKE ALL takes its column privileges too), then get what reading needs.
SELECT format(statement, current_database(), :'schema', rolname)
  FROM (VALUES (:'private_role'), (:'reader_role')) AS r(rolname),
       (VALUES (1, 'REVOKE ALL ON DATABASE %1$I FROM %3$I'),
               (2, 'REVOKE ALL ON SCHEMA %2$I FROM %3$I'),
               (3, 'REVOKE ALL ON ALL TABLES IN SCHEMA %2$I FROM %3$I'),
               (4, 'REVOKE ALL ON ALL SEQUENCES IN SCHEMA %2$I FROM %3$I'),
               (5, 'REVOKE ALL ON ALL ROUTINES IN SCHEMA %2$I FROM %3$I'),
               (6, 'GRANT CONNECT ON DATABASE %1$I TO %3$I'),
               (7, 'GRANT USAGE ON SCHEMA %2$I TO %3$I'),
               (8, 'GRANT SELECT ON %2$I.pingyi_people TO %3$I')) AS s(step, statement)
 ORDER BY rolname, step \gexec

-- The writer alone: enrolments and erasures.
SELECT format('GRANT INSERT ON %I.pingyi_people TO %I', :'schema', :'private_role') \gexec
SELECT format('GRANT UPDATE (name, phone, id_number, salt, erased_at, erased_reason) '
              'ON %I.pingyi_people TO %I', :'schema', :'private_role') \gexec

COMMIT;
