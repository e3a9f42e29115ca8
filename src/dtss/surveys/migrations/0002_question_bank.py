"""Load the built-in question bank (data/question-bank.json), upserting by key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import migrations

BANK = Path(__file__).resolve().parent.parent / "data" / "question-bank.json"
GROUPS = {
    "leaders": ("leaders", False),
    "teachers": ("teachers", False),
    "students_primary": ("students", True),
    "students_secondary": ("students", False),
    "parents": ("parents", False),
}


def load(apps: Any, schema_editor: Any) -> None:
    BankQuestion = apps.get_model("surveys", "BankQuestion")
    data = json.loads(BANK.read_text(encoding="utf-8"))
    for q in data["questions"]:
        group, primary = GROUPS[q["group"]]
        rng = q.get("range") or {}
        BankQuestion.objects.update_or_create(
            key=q["id"],
            defaults={
                "county": None,
                "school": None,
                "item": q["item"],
                "strategies": q["strategies"],
                "group": group,
                "primary": primary,
                "pair": q.get("pair", ""),
                "kind": q["kind"],
                "text_zh": q["text_zh"],
                "text_en": q.get("text_en", ""),
                "help_zh": q.get("help_zh", ""),
                "help_en": q.get("help_en", ""),
                "options": q.get("options", []),
                "min_value": rng.get("min"),
                "max_value": rng.get("max"),
                "active": True,
            },
        )


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("surveys", "BankQuestion").objects.filter(county__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
