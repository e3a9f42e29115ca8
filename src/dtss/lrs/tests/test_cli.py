"""`dtss lrs …`: credentials, stats, export and purge from the command line.

Through `call_command("lrs", …)` against the test database, and once through the installed
`dtss` entry point in a subprocess (on a fresh SQLite database of its own).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dtss.core.models import AuditEntry
from dtss.lrs.models import Credential
from dtss.lrs.models.statements import (
    Attachment,
    Statement,
    StatementActivity,
    StatementAgent,
)
from dtss.lrs.tests.test_admin_pages import add_statements, cred

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("lrs", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        run(*args)
    assert info.value.returncode == 2
    return str(info.value)


# --- credentials ---------------------------------------------------------------------------


def test_create_json_prints_exactly_key_and_secret(world: Any) -> None:
    out, _ = run(
        "credentials", "create", "--name", "因材網", "--county", "10008", "--platform", "因材網",
        "--scope", "statements/write", "--scope", "statements/read", "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert set(data) == {"key", "secret"}
    credential = Credential.objects.get(key=data["key"])
    assert credential.secret_matches(data["secret"])
    assert credential.county == world.counties["A"]
    assert credential.platform == "因材網"
    assert credential.scopes == ["statements/write", "statements/read"]
    assert AuditEntry.objects.filter(action="lrs.credential_create").count() == 1


def test_create_text_defaults_national_and_default_scopes(world: Any) -> None:
    out, _ = run("credentials", "create", "--name", "national")
    credential = Credential.objects.get()
    assert credential.county is None
    assert credential.scopes == ["statements/write", "state", "profile"]
    assert credential.key in out and "secret:" in out and "/xapi/" in out


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["--county", "99999"], "99999"),
        (["--scope", "statements/delete"], "statements/delete"),
        (["--scope", "state", "--scope", "nope"], "nope"),
    ],
)
def test_create_bad_county_or_scope_exits_2_and_creates_nothing(
    world: Any, args: list[str], word: str
) -> None:
    message = fails("credentials", "create", "--name", "x", *args)
    assert word in message
    assert Credential.objects.count() == 0


def test_list_and_revoke(world: Any) -> None:
    a = cred(world.counties["A"], "platform a")
    b = cred(world.counties["B"], "platform b")
    add_statements(a, 2)
    out, _ = run("credentials", "list", "--json")
    items = {i["key"]: i for i in json.loads(out)}
    assert set(items) == {a.key, b.key}
    assert items[a.key]["recent_7_days"] == 2 and items[a.key]["last_stored"]
    assert items[b.key]["county"] == "10002" and items[b.key]["active"] is True
    out, _ = run("credentials", "list", "--county", "10008")
    assert a.key in out and b.key not in out
    out, _ = run("credentials", "revoke", b.key)
    assert "Revoked" in out
    b.refresh_from_db()
    assert b.revoked_at is not None
    assert AuditEntry.objects.filter(action="lrs.credential_revoke").count() == 1
    out, _ = run("credentials", "list", "--json")
    assert {i["key"]: i for i in json.loads(out)}[b.key]["active"] is False
    assert "no credential" in fails("credentials", "revoke", "no-such-key")
    fails("credentials", "list", "--county", "123")


# --- stats -----------------------------------------------------------------------------------


def test_stats_per_platform_per_day(world: Any) -> None:
    a = cred(world.counties["A"], "a", platform="因材網")
    b = cred(world.counties["B"], "b", platform="酷課雲")
    add_statements(a, 2)
    add_statements(a, 1, days_ago=3)
    add_statements(b, 4)
    add_statements(a, 5, days_ago=20)
    out, _ = run("stats", "--county", "10008", "--days", "7", "--json")
    rows = json.loads(out)
    today = timezone.localdate()
    assert {(r["day"], r["platform"], r["count"]) for r in rows} == {
        (today.isoformat(), "因材網", 2),
        ((today - timedelta(days=3)).isoformat(), "因材網", 1),
    }
    out, _ = run("stats")
    assert out.splitlines()[0].split("\t") == ["day", "因材網", "酷課雲", "total"]
    assert f"{today.isoformat()}\t2\t4\t6" in out
    assert "--days" in fails("stats", "--days", "0")


# --- export ----------------------------------------------------------------------------------


def test_export_jsonl_in_stored_order(world: Any, tmp_path: Path) -> None:
    a = cred(world.counties["A"], "a")
    b = cred(world.counties["B"], "b")
    add_statements(a, 1, actor="first", days_ago=2)
    add_statements(a, 2, actor="second", days_ago=1)
    add_statements(a, 1, actor="too-old", days_ago=30)
    add_statements(b, 1, actor="other-county", days_ago=1)
    since = (timezone.now() - timedelta(days=5)).isoformat()
    until = timezone.now().isoformat()
    out, _ = run("export", "--since", since, "--until", until, "--county", "10008")
    lines = out.splitlines()
    assert [json.loads(x)["actor"]["account"]["name"] for x in lines] == [
        "first",
        "second",
        "second",
    ]
    payloads = set(Statement.objects.values_list("payload", flat=True))
    assert all(line in payloads for line in lines)  # as stored, byte for byte
    target = tmp_path / "out.jsonl"
    today = timezone.localdate()  # a date alone is read in the service's time zone
    first_day, last_day = (today - timedelta(days=5)).isoformat(), today.isoformat()
    _, err = run("export", "--since", first_day, "--until", last_day, "--output", str(target))
    assert len(target.read_text().splitlines()) == 4  # every store
    assert "4" in err
    assert "--since" in fails("export", "--since", "yesterday", "--until", until)
    assert "before" in fails("export", "--since", until, "--until", since)


# --- purge -----------------------------------------------------------------------------------


def _attach(statement_ids: list[str], store: int, sha2: str) -> None:
    Attachment.objects.get_or_create(
        store=store, sha2=sha2, defaults={"content_type": "text/plain", "content": b"x"}
    )
    Statement.objects.filter(statement_id__in=statement_ids).update(attachment_hashes=[sha2])


def test_purge_dry_run_changes_nothing_then_purge_deletes_old_rows(world: Any) -> None:
    a = cred(world.counties["A"], "a")
    b = cred(world.counties["B"], "b")
    store_a = world.counties["A"].pk
    old = add_statements(a, 3, days_ago=100)
    old_shared = add_statements(a, 1, days_ago=100)
    new = add_statements(a, 2, days_ago=1)
    old_b = add_statements(b, 2, days_ago=100)
    _attach(old[:1], store_a, "a" * 64)  # only an old statement: goes
    _attach(old_shared + new[:1], store_a, "b" * 64)  # a kept statement still uses it
    before = {
        m: m.objects.count() for m in (Statement, StatementAgent, StatementActivity, Attachment)
    }
    out, _ = run("purge", "--older-than-days", "90", "--county", "10008", "--dry-run")
    assert "4 statements" in out and "1 attachments" in out
    assert {m: m.objects.count() for m in before} == before
    assert not AuditEntry.objects.filter(action="lrs.purge").exists()

    out, _ = run("purge", "--older-than-days", "90", "--county", "10008", "--yes")
    assert "Deleted 4 statements" in out and "1 attachments" in out
    assert set(Statement.objects.values_list("statement_id", flat=True)) == {
        *map(_uuid, new),
        *map(_uuid, old_b),
    }
    kept = set(Statement.objects.values_list("id", flat=True))
    assert set(StatementAgent.objects.values_list("statement_id", flat=True)) <= kept
    assert set(StatementActivity.objects.values_list("statement_id", flat=True)) <= kept
    assert StatementAgent.objects.exists()
    assert list(Attachment.objects.values_list("sha2", flat=True)) == ["b" * 64]
    entry = AuditEntry.objects.get(action="lrs.purge")
    assert entry.detail["statements"] == 4 and entry.county == world.counties["A"]


def _uuid(value: str) -> Any:
    import uuid

    return uuid.UUID(value)


def test_purge_refuses_without_a_retention_period(world: Any, settings: Any) -> None:
    settings.LRS_RETENTION_DAYS = 0
    a = cred(world.counties["A"], "a")
    add_statements(a, 1, days_ago=400)
    assert "retention" in fails("purge", "--yes")
    assert "retention" in fails("purge", "--older-than-days", "0", "--yes")
    assert Statement.objects.count() == 1
    settings.LRS_RETENTION_DAYS = 365
    out, _ = run("purge", "--yes")
    assert "Deleted 1 statements" in out
    assert Statement.objects.count() == 0


def test_purge_without_yes_and_no_terminal_refuses(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    a = cred(world.counties["A"], "a")
    add_statements(a, 2, days_ago=40)
    assert "--yes" in fails("purge", "--older-than-days", "30")
    assert Statement.objects.count() == 2


def test_purge_in_batches(world: Any) -> None:
    from dtss.lrs.admin_services import statements_purge

    a = cred(world.counties["A"], "a")
    add_statements(a, 7, days_ago=10)
    result = statements_purge(before=timezone.now() - timedelta(days=5), stores=None, batch_size=3)
    assert result.statements == 7 and Statement.objects.count() == 0


# --- the installed entry point -----------------------------------------------------------------


def test_dtss_lrs_entry_point(tmp_path: Path) -> None:
    """`dtss lrs …` works from the shell: create (--json), list, stats, revoke; bad → exit 2."""
    env = {k: v for k, v in os.environ.items() if k != "DTSS_DATABASE_URL"}
    env["DTSS_DATA_DIR"] = str(tmp_path)
    dtss = str(Path(sys.executable).with_name("dtss"))

    def sh(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [dtss, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    assert sh("migrate").returncode == 0
    made = sh("lrs", "credentials", "create", "--name", "cli", "--county", "10008", "--json")
    assert made.returncode == 0, made.stderr
    data = json.loads(made.stdout)
    assert set(data) == {"key", "secret"}
    listed = sh("lrs", "credentials", "list", "--json")
    assert [i["key"] for i in json.loads(listed.stdout)] == [data["key"]]
    assert sh("lrs", "stats").returncode == 0
    bad = sh("lrs", "credentials", "create", "--name", "x", "--county", "00000")
    assert bad.returncode == 2 and "00000" in bad.stderr and bad.stdout == ""
    assert sh("lrs", "credentials", "revoke", data["key"]).returncode == 0
    listed = sh("lrs", "credentials", "list", "--json")
    assert json.loads(listed.stdout)[0]["active"] is False


@pytest.mark.django_db
def test_keys_and_secrets_never_start_like_an_option(monkeypatch: Any) -> None:
    """A key drawn as "-44b…" was read by argparse as an option (`revoke -44b…` failed): the
    draw is repeated until the first character is a letter or digit."""
    import secrets

    from dtss.lrs import credential_services

    drawn = iter(["-key", "_key", "secret1", "-k2", "key2"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda _n: next(drawn))
    issued = credential_services.credential_create(name="t", county=None)
    assert issued.secret == "secret1" and issued.credential.key == "key2"
