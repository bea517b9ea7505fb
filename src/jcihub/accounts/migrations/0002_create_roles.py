"""Write the roles defined in code (accounts.roles) as Role rows.

A role added to the code later arrives with a migration of its own that calls this again.
"""

from django.db import migrations


def create_roles(apps, schema_editor):
    from jcihub.accounts.roles import ROLE_DEFINITIONS

    Role = apps.get_model("accounts", "Role")
    for definition in ROLE_DEFINITIONS:
        Role.objects.update_or_create(
            code=definition.code,
            defaults={"label": definition.label, "description": definition.description},
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
