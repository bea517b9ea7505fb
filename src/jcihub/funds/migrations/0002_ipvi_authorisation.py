"""The authorisation the department starts with: Ordinance 260299, $75,000 from the
Violence Prevention Fund (account 2000-501905) for the IPVI programme (public record)."""

from decimal import Decimal

from django.db import migrations


def add(apps, schema_editor):
    Fund = apps.get_model("funds", "Fund")
    Authorisation = apps.get_model("funds", "Authorisation")
    fund, _ = Fund.objects.get_or_create(
        account="2000-501905", defaults={"name": "Violence Prevention Fund"}
    )
    Authorisation.objects.get_or_create(
        fund=fund,
        ordinance="Ordinance 260299",
        defaults={
            "purpose": "Intimate Partner Violence Intervention (IPVI) Focused Deterrence Program",
            "programme": "ipvi",
            "amount": Decimal("75000.00"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
