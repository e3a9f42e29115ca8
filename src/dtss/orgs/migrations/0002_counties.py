import uuid

from django.db import migrations


def load_counties(apps, schema_editor):
    from dtss.orgs.reference import COUNTIES

    County = apps.get_model("orgs", "County")
    for code, name_zh, name_en in COUNTIES:
        County.objects.update_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en,
                                 "public_id": uuid.uuid5(uuid.NAMESPACE_URL, f"dtss:county:{code}")}
        )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load_counties, migrations.RunPython.noop)]
