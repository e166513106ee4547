from django.db import migrations

# Statement-level triggers with transition tables: a bulk statement of a
# million rows costs one INSERT ... SELECT here, not a million calls. The
# actor and request id come from transaction-local settings (set_config(...,
# true)), which work behind PgBouncer in transaction mode.
AUDIT = """
CREATE FUNCTION events_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    key text := TG_ARGV[0];
    skipped text[] := TG_ARGV[1]::text[];
    who text := coalesce(
        nullif(current_setting('pantry.actor', true), ''), 'db:' || session_user
    );
    request text := coalesce(current_setting('pantry.request_id', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO events_audit
            (table_name, row_pk, op, before, after, actor, request_id, at)
        SELECT TG_TABLE_NAME, r.doc ->> key, 'insert', NULL, r.doc, who, request,
               now()
        FROM (SELECT to_jsonb(n) - skipped AS doc FROM new_rows n) AS r;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO events_audit
            (table_name, row_pk, op, before, after, actor, request_id, at)
        SELECT TG_TABLE_NAME, r.doc ->> key, 'delete', r.doc, NULL, who, request,
               now()
        FROM (SELECT to_jsonb(o) - skipped AS doc FROM old_rows o) AS r;
    ELSE
        -- Rows are paired by primary key; an update that leaves a row as it
        -- was records nothing.
        INSERT INTO events_audit
            (table_name, row_pk, op, before, after, actor, request_id, at)
        SELECT TG_TABLE_NAME, a.doc ->> key, 'update', b.doc, a.doc, who, request,
               now()
        FROM (SELECT to_jsonb(o) - skipped AS doc FROM old_rows o) AS b
        JOIN (SELECT to_jsonb(n) - skipped AS doc FROM new_rows n) AS a
          ON a.doc -> key = b.doc -> key
        WHERE a.doc IS DISTINCT FROM b.doc;
    END IF;
    RETURN NULL;
END
$$;

-- For other apps' migrations: events never names their tables itself.
CREATE FUNCTION events_audit_table(
    tbl regclass, key text DEFAULT 'id', skipped text[] DEFAULT '{}'
) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'CREATE TRIGGER events_audit_insert AFTER INSERT ON %s '
        'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
        'EXECUTE FUNCTION events_audit(%L, %L)', tbl, key, skipped);
    EXECUTE format(
        'CREATE TRIGGER events_audit_update AFTER UPDATE ON %s '
        'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION events_audit(%L, %L)',
        tbl, key, skipped);
    EXECUTE format(
        'CREATE TRIGGER events_audit_delete AFTER DELETE ON %s '
        'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
        'EXECUTE FUNCTION events_audit(%L, %L)', tbl, key, skipped);
END
$$;

CREATE FUNCTION events_unaudit_table(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS events_audit_insert ON %s', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS events_audit_update ON %s', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS events_audit_delete ON %s', tbl);
END
$$;
"""

DROP = """
DROP FUNCTION events_unaudit_table(regclass);
DROP FUNCTION events_audit_table(regclass, text, text[]);
DROP FUNCTION events_audit();
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0002_emit_function")]

    operations = [migrations.RunSQL(AUDIT, reverse_sql=DROP)]
