"""The migration rule against blocking builds on tables that exist already."""

from __future__ import annotations

from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    AddIndexConcurrently,
)
from django.db import migrations, models

from pantry.core.migration_safety import check_migrations, project_plan


def migration(name: str, operations: list, **attrs: object) -> migrations.Migration:
    cls = type(
        "Migration",
        (migrations.Migration,),
        {"operations": operations, "__module__": f"pantry.shop.migrations.{name}"}
        | attrs,
    )
    return cls(name, "shop")


CREATE = migration(
    "0001_create",
    [
        migrations.CreateModel(
            "Item",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=20)),
                ("note", models.TextField(null=True)),
            ],
        ),
        # The table is new and empty here: nothing to block.
        migrations.AddIndex("item", models.Index(fields=["name"], name="item_name")),
    ],
)


def findings(*later: migrations.Migration) -> list[str]:
    return [str(finding) for finding in check_migrations([CREATE, *later])]


def test_indexes_and_constraints_on_a_new_table_pass():
    assert findings() == []


def test_a_plain_index_on_an_existing_table_is_refused_and_a_concurrent_one_passes():
    index = models.Index(fields=["note"], name="item_note")

    assert findings(migration("0002_index", [migrations.AddIndex("item", index)])) == [
        "shop.0002_index: AddIndex item_note on an existing table: use "
        "AddIndexConcurrently in a non-atomic migration"
    ]
    assert (
        findings(
            migration("0002_index", [AddIndexConcurrently("item", index)], atomic=False)
        )
        == []
    )


def test_a_check_is_added_not_valid_and_validated_apart():
    check = models.CheckConstraint(
        condition=models.Q(name__gt=""), name="item_name_not_empty"
    )

    [refused] = findings(
        migration("0002_check", [migrations.AddConstraint("item", check)])
    )
    assert "AddConstraint item_name_not_empty on an existing table" in refused
    assert (
        findings(migration("0002_check", [AddConstraintNotValid("item", check)])) == []
    )


def test_a_type_change_or_not_null_is_refused_but_choices_are_free():
    longer = migrations.AlterField("item", "name", models.CharField(max_length=40))
    required = migrations.AlterField("item", "note", models.TextField())
    choices = migrations.AlterField(
        "item", "name", models.CharField(max_length=20, choices=[("a", "A")])
    )

    [typed] = findings(migration("0002_longer", [longer]))
    assert "changes varchar(20) to varchar(40)" in typed
    [not_null] = findings(migration("0002_required", [required]))
    assert "sets NOT NULL" in not_null
    assert findings(migration("0002_choices", [choices])) == []


def test_raw_sql_needs_concurrently_and_not_valid():
    index = migrations.RunSQL("CREATE INDEX item_lower ON shop_item (lower(name))")
    concurrent = migrations.RunSQL(
        "CREATE INDEX CONCURRENTLY item_lower ON shop_item (lower(name))"
    )
    check = migrations.RunSQL(
        "ALTER TABLE shop_item ADD CONSTRAINT c CHECK (name <> '') NOT VALID"
    )

    assert len(findings(migration("0002_sql", [index]))) == 1
    assert findings(migration("0002_sql", [concurrent], atomic=False)) == []
    assert findings(migration("0002_sql", [check])) == []


def test_a_migration_that_says_why_passes():
    index = models.Index(fields=["note"], name="item_note")
    reviewed = migration(
        "0002_index",
        [migrations.AddIndex("item", index)],
        safety="shop_item holds a few rows",
    )

    assert findings(reviewed) == []


def test_every_migration_of_pantry_passes():
    assert [str(finding) for finding in check_migrations(project_plan())] == []


def test_the_database_side_of_separate_database_and_state_is_what_counts():
    def separate(sql: str) -> migrations.Migration:
        return migration(
            "0002_separate",
            [
                migrations.SeparateDatabaseAndState(
                    state_operations=[
                        migrations.AddIndex(
                            "item", models.Index(fields=["note"], name="item_note")
                        )
                    ],
                    database_operations=[migrations.RunSQL(sql)],
                )
            ],
            atomic=False,
        )

    assert len(findings(separate("CREATE INDEX item_note ON shop_item (note)"))) == 1
    assert (
        findings(separate("CREATE INDEX CONCURRENTLY item_note ON shop_item (note)"))
        == []
    )
