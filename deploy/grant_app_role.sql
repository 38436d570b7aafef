-- Grants the app's database role what it needs and nothing more. The tables belong to the
-- owner role, which runs the migrations; the app connects as a role that owns nothing, so it
-- can neither ALTER a table (DISABLE TRIGGER), nor TRUNCATE one, nor set
-- session_replication_role. Run as the owner after every `migrate` (new tables need grants):
--   psql "$OWNER_DATABASE_URL" -v app_role=pbipemda_app -f deploy/grant_app_role.sql
\set ON_ERROR_STOP on
BEGIN;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :"app_role";
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM :"app_role";
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
-- The append-only tables: SELECT and INSERT only. Pasal 5: the ledger and the DTKS/DTSEN
-- listings it rests on; UU 27/2022 Pasal 31: the access log; what BPJS and Dukcapil said
-- (DESIGN.md).
REVOKE UPDATE, DELETE ON enrollment_ledgerentry, enrollment_registryrecord, audit_accesslog,
    bpjs_record, bpjs_billingfile, bpjs_billingrow FROM :"app_role";
REVOKE UPDATE, DELETE ON people_populationextract, people_populationevent FROM :"app_role";
COMMIT;
