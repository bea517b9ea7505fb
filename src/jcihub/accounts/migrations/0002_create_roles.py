"""Write the roles defined in code (accounts.roles) as Role rows.

A role added to the code later arrives with a migration of its own that calls this again.
"""

from django.db import migrations


def create_roles(apps, schema_editor):
    from jcihub.accounts.roles import write_roles

    write_roles(apps.get_model("accounts", "Role"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
