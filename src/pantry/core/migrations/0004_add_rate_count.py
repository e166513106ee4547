from django.db import migrations, models


class Migration(migrations.Migration):
    """The rate limiter's counters (``core.ratelimit``), in an UNLOGGED table.

    Counters are worth nothing after a crash and are never read from a
    replica: UNLOGGED skips the WAL on the one upsert per limited request.
    The table is new and empty, so switching it is instant.
    """

    dependencies = [("core", "0003_text_search_config")]

    operations = [
        migrations.CreateModel(
            name="RateCount",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "key",
                        "window_start",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("key", models.CharField(max_length=100)),
                ("window_start", models.DateTimeField()),
                ("count", models.IntegerField()),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("count__gte", 1)),
                        name="core_ratecount_count_positive",
                    )
                ],
            },
        ),
        migrations.RunSQL(
            sql="ALTER TABLE core_ratecount SET UNLOGGED",
            reverse_sql="ALTER TABLE core_ratecount SET LOGGED",
        ),
    ]
