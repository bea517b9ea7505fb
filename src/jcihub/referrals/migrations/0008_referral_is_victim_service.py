from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0007_trigram_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="is_victim_service",
            field=models.BooleanField(default=False),
        ),
    ]
