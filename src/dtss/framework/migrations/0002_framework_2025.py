"""Load the MOE framework (Tables 6 and 7, 12 items, 102 strategies) shipped as versioned data."""

import json
import uuid
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "framework-2025.json"


def load(apps, schema_editor):
    Version = apps.get_model("framework", "FrameworkVersion")
    Item = apps.get_model("framework", "Item")
    Strategy = apps.get_model("framework", "Strategy")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    ns = uuid.uuid5(uuid.NAMESPACE_URL, f"dtss:framework:{data['version']}")
    version, _ = Version.objects.update_or_create(
        code=data["version"],
        defaults={
            "title_zh": data["title_zh"],
            "title_en": data["title_en"],
            "is_current": True,
            "public_id": ns,
        },
    )
    for order, it in enumerate(data["items"], start=1):
        item, _ = Item.objects.update_or_create(
            version=version,
            code=it["id"],
            defaults={
                "level": it["level"],
                "title_zh": it["title_zh"],
                "title_en": it["title_en"],
                "order": order,
                "public_id": uuid.uuid5(ns, it["id"]),
            },
        )
        for n, st in enumerate(it["strategies"], start=1):
            Strategy.objects.update_or_create(
                item=item,
                code=st["id"],
                defaults={
                    "stage": st["stage"],
                    "text_zh": st["text_zh"],
                    "text_en": st["text_en"],
                    "order": n,
                    "inferred": st["inferred"],
                    "public_id": uuid.uuid5(ns, st["id"]),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("framework", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
