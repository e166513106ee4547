from importlib import import_module

from django.db import migrations

from pantry.core.migration_ops import few_or_paired, replaced

# Past a few rows, the audit trigger pairs old and new rows with one aggregate over both
# transition tables instead of a join of them (see
# pantry.core.migration_ops.paired_rows, which this follows for a key known
# only at run time): a plan cached for a one-row update made a later bulk
# update on the same connection quadratic.
AUDIT = import_module("pantry.events.migrations.0003_audit_functions")
BEFORE = (
    AUDIT.AUDIT.split("$$;")[0].replace(
        "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
    )
    + "$$"
)
PAIRED = replaced(
    BEFORE,
    (
        """\
        FROM (SELECT to_jsonb(o) - skipped AS doc FROM old_rows o) AS b
        JOIN (SELECT to_jsonb(n) - skipped AS doc FROM new_rows n) AS a
          ON a.doc -> key = b.doc -> key
""",
        """\
        FROM (
            SELECT (array_agg(r.doc) FILTER (WHERE r.new))[1] AS after,
                   (array_agg(r.doc) FILTER (WHERE NOT r.new))[1] AS before
            FROM (SELECT true AS new, to_jsonb(n) - skipped AS doc FROM new_rows n
                  UNION ALL
                  SELECT false, to_jsonb(o) - skipped FROM old_rows o) r
            GROUP BY r.doc -> key HAVING count(*) = 2
        ) pair, LATERAL (SELECT pair.after AS doc) a,
        LATERAL (SELECT pair.before AS doc) b
""",
    ),
)

FUNCTION = few_or_paired(BEFORE, PAIRED)


class Migration(migrations.Migration):
    dependencies = [("events", "0004_drop_redundant_indexes")]

    operations = [migrations.RunSQL(FUNCTION, reverse_sql=BEFORE)]
