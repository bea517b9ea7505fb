"""The default warning letter (tier D), in English and Spanish, as version 1."""

from typing import Any

from django.db import migrations

from jcihub.ipvi.letters import write_default_letters


def seed(apps: Any, schema_editor: Any) -> None:
    write_default_letters(
        apps.get_model("ipvi", "Tier"),
        apps.get_model("ipvi", "LetterTemplate"),
        apps.get_model("ipvi", "LetterTemplateVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [("ipvi", "0003_notifications")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
