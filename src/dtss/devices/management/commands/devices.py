"""`dtss manage devices …`: the device register from the command line.

    dtss manage devices import FILE --source jamf|google|intune|register --county CODE
                                    [--school CODE] [--update-only] [--default-kind KIND]

Runs the import at once (not in the worker), all or nothing, with the same checks as the page,
and prints the report: counts, or every problem as "row N, column: message". The command line
is trusted with every school of the county. Exit status 0 when saved, 1 when the file had
problems (nothing changed), 2 for a bad argument.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dtss.devices import import_formats as fmt
from dtss.devices import import_services as svc
from dtss.devices.models import DeviceImport, DeviceKind
from dtss.orgs.models import County, School

USAGE_ERROR = 2


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


class Command(BaseCommand):
    help = "The device register: import a register file or an MDM export."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a register file or an MDM export")
        imp.add_argument("file", help="a .csv or .xlsx file")
        imp.add_argument(
            "--source", required=True, choices=DeviceImport.Source.values, help="the file's format"
        )
        imp.add_argument("--county", required=True, help="the county's code, e.g. 10008")
        imp.add_argument("--school", default="", help="MOE code of the school of new devices")
        imp.add_argument(
            "--update-only",
            action="store_true",
            help="list devices not in the register instead of creating them",
        )
        imp.add_argument(
            "--default-kind",
            default=DeviceKind.TABLET,
            choices=DeviceKind.values,
            help="kind of new devices the export does not name (default tablet)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise _fail(f"FILE: no such file: {path}")
        county = County.objects.filter(code=options["county"]).first()
        if county is None:
            raise _fail(f"--county: no county with the code {options['county']!r}")
        school = None
        if options["school"]:
            school = School.objects.filter(county=county, code=options["school"]).first()
            if school is None:
                raise _fail(f"--school: no school {options['school']!r} in county {county.code}")
        with path.open("rb") as handle:
            try:
                job = svc.device_import_create(
                    user=None,
                    source=options["source"],
                    uploaded_file=File(handle, name=path.name),
                    county=county,
                    school=school,
                    update_only=options["update_only"],
                    default_kind=options["default_kind"],
                    enqueue=False,
                )
            except ValidationError as exc:
                messages = (
                    "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                    if hasattr(exc, "error_dict")
                    else " ".join(exc.messages)
                )
                raise _fail(messages) from exc
        job = svc.device_import_run(job=job)
        report = job.report
        if job.status == DeviceImport.Status.DONE:
            self.stdout.write(
                f"{job.filename}: {report['created']} created, {report['updated']} updated, "
                f"{report['unchanged']} unchanged, {report['not_in_register']} not in the "
                f"register (import {job.public_id})"
            )
            for item in report.get("rows", {}).get("not_in_register", []):
                self.stdout.write(f"  not in the register: row {item['row']}, {item['serial']}")
            return
        errors = report.get("errors", [])
        self.stderr.write(f"{job.filename}: {len(errors)} problem(s); nothing was changed.")
        for item in errors:
            where = f"row {item['row']}" if item.get("row") else "file"
            column = f", {item['field']}" if item.get("field") else ""
            self.stderr.write(f"  {where}{column}: {fmt.problem_text(item)}")
        raise CommandError("the import failed", returncode=1)
