"""Fill the daily counts from the incidents already stored (later imports, address
corrections and category changes keep them; `jcihub taskforce recount` recounts).

Written against the historical models, as `counts.rebuild` counts: an incident at a
property with a reported date counts once in "" (all incidents), and once in each
category that one of its offenses' codes is mapped to or, for domestic violence and
firearm, that KCPD's flag says."""

# ruff: noqa: S608

from django.db import migrations
from django.db.models import Count, F, Q

FLAGS = {"domestic_violence": "is_domestic_violence", "firearm": "firearm_used"}
CATEGORIES = ("violent", "domestic_violence", "firearm", "drug", "property", "disorder")


def count(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    Offense = apps.get_model("incidents", "Offense")
    OffenseCode = apps.get_model("taskforce", "OffenseCode")
    DailyCount = apps.get_model("taskforce", "DailyCount")
    codes = {category: [] for category in CATEGORIES}
    for code, categories in OffenseCode.objects.values_list("code", "categories"):
        for category in categories or []:
            if category in codes:
                codes[category].append(code)
    base = Incident.objects.filter(raw_address__property__isnull=False, reported_date__isnull=False)
    table = DailyCount._meta.db_table
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for category in ("", *CATEGORIES):
            scoped = base
            if category:
                found = Q(pk__isnull=True)
                if codes[category]:
                    found |= Q(
                        pk__in=Offense.objects.filter(ibrs__in=codes[category]).values(
                            "incident_id"
                        )
                    )
                if category in FLAGS:
                    found |= Q(**{FLAGS[category]: True})
                scoped = base.filter(found)
            grouped = (
                scoped.values(
                    place=F("raw_address__property"), day=F("reported_date"), police_beat=F("beat")
                )
                .annotate(n=Count("pk"))
                .order_by()
            )
            sql, params = grouped.query.sql_with_params()
            cursor.execute(
                f"""INSERT INTO {table} (property_id, day, beat, n, category)
                    SELECT q.place, q.day, COALESCE(q.police_beat, ''), q.n, %s FROM ({sql}) q""",
                (category, *params),
            )


def forget(apps, schema_editor):
    apps.get_model("taskforce", "DailyCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_run_pointers_without_constraints"),
        ("taskforce", "0006_daily_counts_and_stored_ranking"),
    ]
    operations = [migrations.RunPython(count, forget)]
