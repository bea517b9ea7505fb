"""Write the default offense-code categories and flag rules (see taskforce/defaults.py)."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from jcihub.taskforce.defaults import write_defaults

    write_defaults(
        apps.get_model("taskforce", "OffenseCode"), apps.get_model("taskforce", "FlagRule")
    )


class Migration(migrations.Migration):
    dependencies = [("taskforce", "0001_offense_codes_and_flag_rules")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
