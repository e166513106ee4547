from django.db import migrations

# Posts, their authors and the products they mention show on product pages:
# a committed write to them moves the content generation (core 0006), so a
# cached product page never outlives the posts it lists.
TABLES = ["journal_author", "journal_post", "journal_post_products"]

LOCK_TIMEOUT = "SET LOCAL lock_timeout = '5s'"
FORWARD = ";\n".join(
    [LOCK_TIMEOUT, *(f"SELECT core_watch_table('{t}')" for t in TABLES)]
)
BACKWARD = ";\n".join(
    [LOCK_TIMEOUT, *(f"SELECT core_unwatch_table('{t}')" for t in TABLES)]
)


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0001_create_journal"),
        ("core", "0006_content_generation"),
    ]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
