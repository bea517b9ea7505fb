"""The default ladder: the four levels of the High Point offender-focused model."""

from typing import Any

from django.db import migrations

from jcihub.ipvi.defaults import LADDER, write_ladder


def seed(apps: Any, schema_editor: Any) -> None:
    write_ladder(apps.get_model("ipvi", "Tier"))


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("ipvi", "Tier").objects.filter(level__in=[t["level"] for t in LADDER]).delete()


class Migration(migrations.Migration):
    dependencies = [("ipvi", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
