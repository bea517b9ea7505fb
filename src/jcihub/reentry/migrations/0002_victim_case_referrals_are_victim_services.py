"""Referrals already made from victim-services cases' plans become victim-services
referrals (victim-locating information; see referrals.Referral.is_victim_service)."""

from django.db import migrations


def flag_victim_case_referrals(apps, schema_editor):  # type: ignore[no-untyped-def]
    Referral = apps.get_model("referrals", "Referral")
    PlanReferral = apps.get_model("reentry", "PlanReferral")
    victim_cases = PlanReferral.objects.filter(case__kind="victim_services")
    Referral.objects.filter(pk__in=victim_cases.values("referral_id")).update(
        is_victim_service=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reentry", "0001_reentry_cases"),
        ("referrals", "0008_referral_is_victim_service"),
    ]

    operations = [
        migrations.RunPython(flag_victim_case_referrals, migrations.RunPython.noop),
    ]
