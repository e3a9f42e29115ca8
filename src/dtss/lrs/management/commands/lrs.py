"""`dtss lrs …`: LRS credentials, statistics, export and purge from the command line.

    dtss lrs credentials create --name NAME [--county CODE] [--scope SCOPE …] [--platform P]
                                [--json]
    dtss lrs credentials list [--county CODE] [--json]
    dtss lrs credentials revoke KEY
    dtss lrs stats [--county CODE] [--days N] [--json]
    dtss lrs export --since ISO --until ISO [--county CODE] [--output FILE]
    dtss lrs purge [--older-than-days N] [--county CODE] [--dry-run] [--yes]

`--county` takes the county's code (e.g. 10008); without it a command covers every store, the
national one included. A bad argument is an error on stderr with exit status 2 and changes
nothing. The secret of a new credential is printed once and never stored.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from dtss.lrs import admin_selectors as sel
from dtss.lrs.admin_services import statements_jsonl, statements_purge
from dtss.lrs.credential_services import credential_create, credential_revoke, scopes_clean
from dtss.lrs.models import Credential, Scope
from dtss.orgs.models import County

USAGE_ERROR = 2


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def _county(code: str | None) -> County | None:
    if not code:
        return None
    county = County.objects.filter(code=code).first()
    if county is None:
        raise _fail(f"no county with the code {code!r} (e.g. 10008 for 南投縣)")
    return county


def _moment(value: str, name: str, *, end: bool = False) -> datetime:
    """An ISO 8601 date or date-time; a date alone means its start (or, for --until, its end)."""
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value) if len(value) == 10 else None
        if day is None:
            raise _fail(f"{name}: {value!r} is not an ISO 8601 date or date-time")
        moment = datetime.combine(day + timedelta(days=1 if end else 0), datetime.min.time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Manage the learning record store: credentials, statistics, export and purge."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        creds = sub.add_parser("credentials", help="create, list or revoke platform credentials")
        csub = creds.add_subparsers(dest="cred_action", required=True)
        create = csub.add_parser("create", help="issue a credential; prints its key and secret")
        create.add_argument("--name", required=True)
        create.add_argument("--county", help="county code; none: the national store")
        create.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            metavar="SCOPE",
            help=f"repeatable; one of {', '.join(Scope.values)} "
            "(default statements/write, state, profile)",
        )
        create.add_argument("--platform", default="")
        create.add_argument("--json", action="store_true", help='print {"key": …, "secret": …}')
        lst = csub.add_parser("list", help="list credentials")
        lst.add_argument("--county", help="county code")
        lst.add_argument("--json", action="store_true")
        revoke = csub.add_parser("revoke", help="revoke a credential for good")
        revoke.add_argument("key")

        stats = sub.add_parser("stats", help="statements per platform per day")
        stats.add_argument("--county", help="county code")
        stats.add_argument("--days", type=int, default=30)
        stats.add_argument("--json", action="store_true")

        export = sub.add_parser("export", help="stored statements as JSON lines, in stored order")
        export.add_argument("--since", required=True, help="ISO 8601 date or date-time")
        export.add_argument("--until", required=True, help="ISO 8601 date or date-time")
        export.add_argument("--county", help="county code")
        export.add_argument("--output", help="file to write (default: standard output)")

        purge = sub.add_parser("purge", help="delete statements older than a number of days")
        purge.add_argument(
            "--older-than-days",
            type=int,
            default=None,
            help="default: DTSS_LRS_RETENTION_DAYS (refused when 0)",
        )
        purge.add_argument("--county", help="county code")
        purge.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
        purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "credentials":
            getattr(self, f"credentials_{options['cred_action']}")(options)
        else:
            getattr(self, action)(options)

    # --- credentials -------------------------------------------------------------------------

    def credentials_create(self, options: dict[str, Any]) -> None:
        county = _county(options.get("county"))
        name = (options.get("name") or "").strip()
        if not name:
            raise _fail("--name must not be empty")
        try:
            scopes = scopes_clean(options.get("scopes"))
            issued = credential_create(
                name=name, county=county, scopes=scopes, platform=options.get("platform") or ""
            )
        except ValidationError as exc:
            raise _fail("; ".join(exc.messages)) from None
        cred = issued.credential
        if options["json"]:
            self.stdout.write(json.dumps({"key": cred.key, "secret": issued.secret}))
            return
        self.stdout.write(f"Created credential {cred.name!r} for {_store_name(cred)}.")
        self.stdout.write(f"endpoint: {settings.SITE_URL.rstrip('/')}/xapi/")
        self.stdout.write(f"key:      {cred.key}")
        self.stdout.write(f"secret:   {issued.secret}")
        self.stdout.write(f"scopes:   {', '.join(cred.scopes)}")
        self.stdout.write("The secret is shown only now; DTSS keeps only its hash.")

    def credentials_list(self, options: dict[str, Any]) -> None:
        county = _county(options.get("county"))
        qs = Credential.objects.select_related("county").order_by("created_at", "id")
        if county is not None:
            qs = qs.filter(county=county)
        creds = list(qs)
        traffic = sel.credential_traffic(credential_ids=[c.pk for c in creds])
        items = [
            {
                "key": c.key,
                "name": c.name,
                "platform": c.platform,
                "county": c.county.code if c.county else None,
                "scopes": c.scopes,
                "created": c.created_at.isoformat(),
                "active": c.revoked_at is None,
                "revoked": c.revoked_at.isoformat() if c.revoked_at else None,
                "last_stored": (
                    t.last_stored.isoformat()
                    if (t := traffic.get(c.pk)) and t.last_stored
                    else None
                ),
                "recent_7_days": traffic[c.pk].recent if c.pk in traffic else 0,
            }
            for c in creds
        ]
        if options["json"]:
            self.stdout.write(json.dumps(items, ensure_ascii=False, indent=1))
            return
        if not items:
            self.stdout.write("No credentials.")
            return
        for item in items:
            status = "active" if item["active"] else "revoked"
            self.stdout.write(
                f"{item['key']}  {status:<7}  {item['county'] or 'national':<8}  "
                f"{item['name']}  [{', '.join(item['scopes'])}]  "
                f"last: {item['last_stored'] or '-'}  7d: {item['recent_7_days']}"
            )

    def credentials_revoke(self, options: dict[str, Any]) -> None:
        credential = Credential.objects.filter(key=options["key"]).first()
        if credential is None:
            raise _fail(f"no credential with the key {options['key']!r}")
        if credential.revoked_at is not None:
            self.stdout.write(f"{credential.key} was already revoked.")
            return
        credential_revoke(credential=credential)
        self.stdout.write(f"Revoked {credential.key} ({credential.name}).")

    # --- statistics, export, purge -------------------------------------------------------------

    def stats(self, options: dict[str, Any]) -> None:
        county = _county(options.get("county"))
        days = options["days"]
        if days < 1:
            raise _fail("--days must be at least 1")
        counts = sel.stats_per_platform_day(stores=[county.pk] if county else None, days=days)
        if options["json"]:
            data = [
                {"day": c.day.isoformat(), "platform": c.platform, "count": c.count} for c in counts
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        platforms, rows = sel.stats_table(counts)
        if not rows:
            self.stdout.write(f"No statements in the last {days} days.")
            return
        heads = ["day", *(p or "(deleted)" for p in platforms), "total"]
        self.stdout.write("\t".join(heads))
        for day, cells, total in rows:
            self.stdout.write("\t".join([day.isoformat(), *map(str, cells), str(total)]))

    def export(self, options: dict[str, Any]) -> None:
        county = _county(options.get("county"))
        since = _moment(options["since"], "--since")
        until = _moment(options["until"], "--until", end=True)
        if since >= until:
            raise _fail("--since must be before --until")
        qs = sel.statements_of_stores(stores=[county.pk] if county else None).filter(
            stored__gte=since, stored__lt=until
        )
        count = 0
        if options.get("output"):
            with open(options["output"], "w", encoding="utf-8") as handle:
                for line in statements_jsonl(qs):
                    handle.write(line)
                    count += 1
            self.stderr.write(f"Wrote {count} statements to {options['output']}.")
        else:
            out = self.stdout
            for line in statements_jsonl(qs):
                out.write(line, ending="")
                count += 1
            out.flush()
        from dtss.lrs.admin_services import statements_export_audit

        statements_export_audit(
            actor=None,
            county=county,
            detail={"since": since.isoformat(), "until": until.isoformat(), "count": count},
        )

    def purge(self, options: dict[str, Any]) -> None:
        county = _county(options.get("county"))
        days = options.get("older_than_days")
        if days is None:
            days = settings.LRS_RETENTION_DAYS
        if not days or days < 1:
            raise _fail(
                "no retention period: give --older-than-days N (at least 1) or set "
                "DTSS_LRS_RETENTION_DAYS; refusing to purge"
            )
        before = timezone.now() - timedelta(days=days)
        stores = [county.pk] if county else None
        where = county.code if county else "every store"
        preview = statements_purge(before=before, stores=stores, dry_run=True)
        summary = (
            f"{preview.statements} statements stored before {before:%Y-%m-%d %H:%M} ({where}), "
            f"{preview.agents} agent index rows, {preview.activities} activity index rows, "
            f"{preview.attachments} attachments"
        )
        if options["dry_run"]:
            self.stdout.write(f"Dry run: would delete {summary}.")
            return
        if not preview.statements:
            self.stdout.write(f"Nothing to delete ({where}).")
            return
        if not options["yes"]:
            if not sys.stdin or not sys.stdin.isatty():
                raise _fail(f"would delete {summary}; add --yes to confirm")
            answer = input(f"Delete {summary}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                self.stdout.write("Nothing deleted.")
                return
        result = statements_purge(before=before, stores=stores, county=county)
        self.stdout.write(
            f"Deleted {result.statements} statements, {result.agents} agent index rows, "
            f"{result.activities} activity index rows, {result.attachments} attachments."
        )


def _store_name(credential: Credential) -> str:
    county = credential.county
    return f"{county.code} {county.name_zh}" if county else "the national store"
