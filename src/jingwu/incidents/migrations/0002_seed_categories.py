from django.db import migrations


def seed(apps, schema_editor):
    from jingwu.engine.vocab import INCIDENT_CATEGORIES

    Category = apps.get_model("incidents", "IncidentCategory")
    by_code = {}
    for c in INCIDENT_CATEGORIES:
        obj, _ = Category.objects.update_or_create(
            code=c.code,
            defaults={
                "parent": by_code.get(c.parent),
                "name_zh": c.zh,
                "name_en": c.en,
                "criminal": c.criminal,
                "minutes": c.minutes,
                "backup": c.backup,
            },
        )
        by_code[c.code] = obj


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
