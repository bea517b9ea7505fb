"""Trigram (pg_trgm) indexes for the directory's free-text and eligibility search, on
PostgreSQL only.

The search filters with Django's `icontains`, which PostgreSQL runs as
`UPPER(column::text) LIKE UPPER('%words%')`: a GIN index over that same expression with
`gin_trgm_ops` serves it (any substring of three characters or more). SQLite has no
pg_trgm; there this migration does nothing and the same queries scan, as before.

`CREATE EXTENSION` needs a role allowed to create it in the database (a superuser, or
the database owner on PostgreSQL 13+, where pg_trgm is a trusted extension): see
docs/operations.md. Undoing the migration drops the indexes but leaves the extension,
which other database objects may have come to use.
"""

from django.db import migrations

# Index name → (table, column). The column is searched with `icontains`.
TRIGRAM_INDEXES = {
    "referrals_service_name_trgm": ("referrals_service", "name"),
    "referrals_service_alt_name_trgm": ("referrals_service", "alternate_name"),
    "referrals_service_description_trgm": ("referrals_service", "description"),
    "referrals_service_eligibility_trgm": ("referrals_service", "eligibility_description"),
    "referrals_organization_name_trgm": ("referrals_organization", "name"),
}


def create_trigram_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
            f"USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0006_referral_follow_up_due_dates"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
