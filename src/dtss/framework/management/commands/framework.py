"""`dtss framework export --format json|csv`: the framework as data, items → stages → strategies."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dtss.framework.selectors import current_version, framework_tree


class Command(BaseCommand):
    help = "Export the support-system framework (Tables 6 and 7) as JSON or CSV."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export")
        export.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "export":
            raise CommandError("Unknown action.")
        version = current_version()
        tree = framework_tree(version=version)
        if options["format"] == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(
                ["item", "item_zh", "item_en", "level", "stage", "id", "text_zh", "text_en"]
            )
            for item, strategies in tree:
                for s in strategies:
                    writer.writerow(
                        [
                            item.code,
                            item.title_zh,
                            item.title_en,
                            item.level,
                            s.stage,
                            s.code,
                            s.text_zh,
                            s.text_en,
                        ]
                    )
            return
        data = {
            "version": version.code,
            "title_zh": version.title_zh,
            "title_en": version.title_en,
            "items": [
                {
                    "id": item.code,
                    "level": item.level,
                    "title_zh": item.title_zh,
                    "title_en": item.title_en,
                    "stages": [
                        {
                            "stage": stage,
                            "strategies": [
                                {"id": s.code, "text_zh": s.text_zh, "text_en": s.text_en}
                                for s in strategies
                                if s.stage == stage
                            ],
                        }
                        for stage in ("D", "A", "M")
                    ],
                }
                for item, strategies in tree
            ],
        }
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        sys.stdout.flush()
