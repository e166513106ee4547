from django.db import migrations

# The one way to write events, from Python (outbox.emit) or from another
# app's SQL: insert one event per element of a jsonb array, a pending
# delivery for every live endpoint that wants the type, and wake the
# dispatchers at commit (NOTIFY is transactional: a rollback sends nothing).
EMIT = """
CREATE FUNCTION events_emit(event_type text, payloads jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    queued integer;
BEGIN
    WITH written AS (
        INSERT INTO events_event (type, payload)
        SELECT event_type, p FROM jsonb_array_elements(payloads) AS p
        RETURNING id
    ), queued_rows AS (
        INSERT INTO events_delivery (event_id, endpoint_id, status, attempt_count)
        SELECT written.id, e.id, 'pending', 0
        FROM written, events_endpoint e
        WHERE e.is_active AND e.deleted_at IS NULL
          AND (event_type = ANY(e.events) OR '*' = ANY(e.events))
        RETURNING 1
    )
    SELECT count(*) INTO queued FROM queued_rows;
    IF queued > 0 THEN
        PERFORM pg_notify('pantry_events', '');
    END IF;
    RETURN queued;
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0001_create_events")]

    operations = [
        migrations.RunSQL(
            EMIT, reverse_sql="DROP FUNCTION events_emit(text, jsonb)"
        ),
    ]
