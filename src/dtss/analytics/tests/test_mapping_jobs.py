"""File imports as background jobs (`MappingImport`): the preview keeps the file, "Import" queues
`tasks.mapping_import_run`, which stores it all or nothing and records `done` with the counts or
`failed` with every problem. The file survives a restart (it is in the job's row, and the queued
task in the database queue); a failed or stalled import is retried with the file it kept; old
previews and failures are cleaned up. Only the platform's county administrators see and start
imports: another county's is a 404, readers and school roles get a 403.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from dtss.analytics import mapping as mp
from dtss.analytics import platform_selectors as sel
from dtss.analytics import platform_services as services
from dtss.analytics.models import FileMapping, MappingImport, Platform
from dtss.analytics.platform_services import (
    mapping_create,
    mapping_import_preview,
    mapping_import_queue,
    platform_create,
    platform_deactivate,
)
from dtss.analytics.tests.test_mapping import GOOD_ROWS, HOME, SPEC, csv_bytes
from dtss.core.models import AuditEntry
from dtss.lrs.models.statements import Statement

pytestmark = pytest.mark.django_db
BAD_ROWS = [GOOD_ROWS[0], "elem_student,跳舞,v-1,,數學,,,60,2026-10-05 10:00,,,"]  # row 3: verb


@pytest.fixture(autouse=True)
def _english(world: Any) -> Any:
    original = world.client

    def client(name: str) -> Any:
        c = original(name)
        c.cookies["dtss_language"] = "en"
        return c

    world.client = client
    with translation.override("en"):
        yield


def _platform(world: Any, county: str) -> Platform:
    return platform_create(
        actor=None,
        county=world.counties[county],
        name="因材網",
        kind="adl",
        account_home_page=HOME if county == "A" else HOME + "/b",
        purpose="p",
        data_fields="d",
        legal_basis="l",
    )


@pytest.fixture
def pa(world: Any) -> Platform:
    return _platform(world, "A")


@pytest.fixture
def pb(world: Any) -> Platform:
    return _platform(world, "B")


@pytest.fixture
def fmap(pa: Platform) -> FileMapping:
    return mapping_create(actor=None, platform=pa, name="練習紀錄", spec=SPEC)


def previewed(world: Any, fmap: FileMapping, rows: list[str] = GOOD_ROWS) -> MappingImport:
    job, conversion = mapping_import_preview(
        actor=world.users["a_admin"], mapping=fmap, filename="export.csv", content=csv_bytes(rows)
    )
    assert job is not None, conversion.problems
    return job


def queued_and_run(world: Any, job: MappingImport, capture: Any) -> MappingImport:
    with capture(execute=True):
        mapping_import_queue(actor=world.users["a_admin"], job=job)
    return MappingImport.objects.select_related("platform", "mapping").get(pk=job.pk)


def job_url(job: MappingImport, suffix: str = "") -> str:
    return f"/analytics/platforms/{job.platform.public_id}/imports/{job.public_id}/{suffix}"


# --------------------------------------------------------------------------- the run


def test_good_file_is_done_with_counts_and_records_in_the_lrs(
    world: Any, fmap: FileMapping, django_capture_on_commit_callbacks: Any
) -> None:
    job = previewed(world, fmap, [*GOOD_ROWS, GOOD_ROWS[0]])
    assert (job.status, job.rows, job.statements, job.duplicates) == ("previewed", 4, 3, 1)
    job = queued_and_run(world, job, django_capture_on_commit_callbacks)
    assert job.status == MappingImport.Status.DONE
    assert (job.rows, job.statements, job.new_statements, job.duplicates) == (4, 3, 3, 1)
    assert job.problems == [] and job.started_at and job.finished_at
    assert bytes(MappingImport.objects.values_list("content", flat=True).get()) == b""
    stored = [json.loads(s.payload) for s in Statement.objects.filter(store=world.counties["A"].pk)]
    assert len(stored) == 3
    assert {s["actor"]["account"]["name"] for s in stored} == {"elem_student", "elem_student2"}
    entry = AuditEntry.objects.get(action="analytics.mapping_import")
    assert entry.detail["job"] == str(job.public_id) and entry.actor == world.users["a_admin"]
    queue = AuditEntry.objects.get(action="analytics.mapping_import_queue")
    assert queue.detail["retry"] is False and queue.county == world.counties["A"]


@pytest.mark.parametrize("batch", [5000, 2], ids=["one-batch", "batches-taken-back"])
def test_bad_file_fails_with_problems_and_stores_nothing(
    world: Any,
    fmap: FileMapping,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
    batch: int,
) -> None:
    """Queued without a preview (as the API does); with batches of 2 the rows before the bad
    one were sent to the store already and are taken back."""
    monkeypatch.setattr("dtss.analytics.platform_services.IMPORT_BATCH", batch)
    rows = [*GOOD_ROWS, "elem_student,作答,q-4,,數學,abc,是,60,2026-10-05 10:00,,,"]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.mapping_import_submit(
            actor=world.users["a_admin"], mapping=fmap, filename="e.csv", content=csv_bytes(rows)
        )
    job.refresh_from_db()
    assert job.status == MappingImport.Status.FAILED and job.rows == 4
    assert [(p["row"], p["column"]) for p in job.problems] == [(5, "分數")]
    assert "abc" in job.problems[0]["message"]
    assert job.new_statements == 0 and not Statement.objects.exists()
    assert not AuditEntry.objects.filter(action="analytics.mapping_import").exists()
    assert AuditEntry.objects.get(action="analytics.mapping_import_failed").detail["problems"] == 1
    # the file is kept for a retry
    assert bytes(MappingImport.objects.values_list("content", flat=True).get()) == csv_bytes(rows)


def test_many_problems_are_listed_up_to_the_limit(
    world: Any, fmap: FileMapping, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(mp, "MAX_PROBLEMS", 2)
    rows = [f"elem_student,跳舞,v-{n},,數學,,,60,2026-10-05 10:00,,," for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.mapping_import_submit(
            actor=None, mapping=fmap, filename="e.csv", content=csv_bytes(rows)
        )
    job.refresh_from_db()
    assert [p["row"] for p in job.problems] == [2, 3, None]
    assert job.problems[2]["message"] == "… and 3 more problems."


def test_job_survives_being_read_again_with_its_file_deferred(
    world: Any, fmap: FileMapping, django_capture_on_commit_callbacks: Any
) -> None:
    """What a restart between the preview and the worker looks like: a fresh read of the row."""
    content = csv_bytes(GOOD_ROWS)
    job_id = previewed(world, fmap).pk
    fresh = MappingImport.objects.get(pk=job_id)
    assert "content" in fresh.get_deferred_fields()  # lists and polls never load the file
    listed = [
        *sel.imports_of(platform=fmap.platform),
        sel.import_get(platform=fmap.platform, public_id=fresh.public_id),
    ]
    assert all("content" in j.get_deferred_fields() for j in listed)
    assert bytes(fresh.content) == content  # loaded on demand, intact
    fresh = queued_and_run(
        world, MappingImport.objects.get(pk=job_id), django_capture_on_commit_callbacks
    )
    assert fresh.status == "done" and Statement.objects.count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_queued_import_survives_a_restart_in_the_database_queue(
    world: Any, fmap: FileMapping, settings: Any, monkeypatch: Any
) -> None:
    """The default backend: "Import" puts the task in the database (after the commit); no
    worker runs until later (a restart in between loses nothing: the job and its file are rows,
    the task is a row); then `db_worker --batch` imports it."""
    from django.core.management import call_command
    from django.db import connections
    from django.tasks import task
    from django_tasks_db.models import DBTaskResult

    from dtss.analytics import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(tasks, "mapping_import_run", task(tasks.mapping_import_run.func))
    job = previewed(world, fmap)
    mapping_import_queue(actor=world.users["a_admin"], job=job)
    queued = DBTaskResult.objects.get()
    assert queued.status == "READY" and queued.args_kwargs["args"] == [job.pk, "en"]
    connections.close_all()  # the "restart": nothing is kept in this process
    job = MappingImport.objects.get(pk=job.pk)
    assert job.status == "queued" and "content" in job.get_deferred_fields()
    assert not Statement.objects.exists()

    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL", queued.exception_class_path
    assert queued.return_value == "done"
    job.refresh_from_db()
    assert (job.status, job.new_statements) == ("done", 3)
    assert Statement.objects.count() == 3


def test_task_returns_the_status_and_leaves_a_finished_job_alone(
    world: Any, fmap: FileMapping, django_capture_on_commit_callbacks: Any
) -> None:
    from dtss.analytics.tasks import mapping_import_run

    job = queued_and_run(world, previewed(world, fmap), django_capture_on_commit_callbacks)
    finished_at = job.finished_at
    # a task delivered twice: the job is not queued any more, nothing runs again
    assert mapping_import_run.call(job.pk, "en") == "done"
    job.refresh_from_db()
    assert job.finished_at == finished_at and Statement.objects.count() == 3
    assert mapping_import_run.call(10**9) == "missing"


def test_unexpected_error_fails_the_job_and_keeps_the_file(
    world: Any, fmap: FileMapping, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "mapping_import", broken)
    job = queued_and_run(world, previewed(world, fmap), django_capture_on_commit_callbacks)
    assert job.status == MappingImport.Status.FAILED
    assert "RuntimeError" in job.problems[0]["message"] and job.problems[0]["row"] is None
    monkeypatch.undo()
    assert services.import_retryable(job)
    job = queued_and_run(world, job, django_capture_on_commit_callbacks)
    assert job.status == "done" and job.new_statements == 3
    retry = AuditEntry.objects.filter(action="analytics.mapping_import_queue").order_by("id")
    assert [e.detail["retry"] for e in retry] == [False, True]


def test_failed_for_the_platform_then_retried(
    world: Any, pa: Platform, fmap: FileMapping, django_capture_on_commit_callbacks: Any
) -> None:
    job = previewed(world, fmap)
    Platform.objects.filter(pk=pa.pk).update(account_home_page="")
    job = queued_and_run(world, job, django_capture_on_commit_callbacks)
    assert job.status == "failed" and "home page" in job.problems[0]["message"]
    Platform.objects.filter(pk=pa.pk).update(account_home_page=HOME)
    job = queued_and_run(world, job, django_capture_on_commit_callbacks)
    assert (job.status, job.problems, job.new_statements) == ("done", [], 3)
    with pytest.raises(ValidationError):
        mapping_import_queue(actor=world.users["a_admin"], job=job)  # done: not again


def test_cannot_queue_without_mapping_or_on_a_deactivated_platform(
    world: Any, pa: Platform, fmap: FileMapping
) -> None:
    job = previewed(world, fmap)
    platform_deactivate(actor=None, platform=pa)
    with pytest.raises(ValidationError, match="deactivated"):
        mapping_import_queue(actor=world.users["a_admin"], job=job)
    services.platform_reactivate(actor=None, platform=pa)
    services.mapping_delete(actor=None, mapping=fmap)
    job = MappingImport.objects.get(pk=job.pk)
    assert job.mapping_id is None and not services.import_retryable(job)
    with pytest.raises(ValidationError, match="mapping"):
        mapping_import_queue(actor=world.users["a_admin"], job=job)
    assert MappingImport.objects.get(pk=job.pk).status == "previewed"


def test_stalled_import_is_retried(
    world: Any, fmap: FileMapping, django_capture_on_commit_callbacks: Any
) -> None:
    """The worker was killed mid-import: its transaction was rolled back, the job says
    "importing" with no progress for half an hour. It can be retried; a live one cannot."""
    job = previewed(world, fmap)
    MappingImport.objects.filter(pk=job.pk).update(
        status="running", started_at=timezone.now() - dt.timedelta(minutes=5)
    )
    job = MappingImport.objects.get(pk=job.pk)
    assert not services.import_stalled(job)  # recent: maybe still working
    mapping_import_queue(actor=world.users["a_admin"], job=job)  # a no-op
    assert MappingImport.objects.get(pk=job.pk).status == "running"
    MappingImport.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=1)
    )
    job = MappingImport.objects.get(pk=job.pk)
    services.import_progress_write(job_id=job.pk, done=10, total=20)
    assert not services.import_stalled(job)  # reported progress lately: alive
    assert sel.import_progress(job=job).percent == 50
    services._progress_clear(job.pk)
    assert services.import_stalled(job) and services.import_retryable(job)
    assert sel.import_progress(job=job).phase == "stalled"
    job = queued_and_run(world, job, django_capture_on_commit_callbacks)
    assert job.status == "done" and Statement.objects.count() == 3


def test_progress_is_reported_while_the_rows_are_checked(
    world: Any, fmap: FileMapping, monkeypatch: Any
) -> None:
    monkeypatch.setattr(mp, "PROGRESS_EVERY", 2)
    seen: list[tuple[int, int]] = []
    conversion, _parsed = mp.file_check(
        platform=fmap.platform,
        spec=mp.spec_load(fmap.spec),
        filename="e.csv",
        content=csv_bytes([*GOOD_ROWS, *GOOD_ROWS]),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert conversion.ok and seen == [(2, 6), (4, 6), (6, 6), (6, 6)]


def test_cleanup_deletes_old_previews_and_failures(world: Any, fmap: FileMapping) -> None:
    now = timezone.now()
    cases = [  # (status, age, kept)
        ("previewed", dt.timedelta(hours=2), True),
        ("previewed", dt.timedelta(hours=25), False),
        ("failed", dt.timedelta(days=29), True),
        ("failed", dt.timedelta(days=31), False),
        ("done", dt.timedelta(days=400), True),
        ("queued", dt.timedelta(days=2), True),
    ]
    jobs = [previewed(world, fmap) for _case in cases]  # (each preview cleans up: age them after)
    kept = set()
    for job, (status, age, keep) in zip(jobs, cases, strict=True):
        MappingImport.objects.filter(pk=job.pk).update(status=status, created_at=now - age)
        if keep:
            kept.add(job.pk)
    assert services.mapping_import_cleanup(now=now) == (1, 1)
    assert set(MappingImport.objects.values_list("pk", flat=True)) == kept
    # a preview cleans up too
    MappingImport.objects.filter(status="previewed").update(created_at=now - dt.timedelta(days=2))
    previewed(world, fmap)
    assert MappingImport.objects.filter(status="previewed").count() == 1


# --------------------------------------------------------------------------- pages


def test_job_page_follows_a_queued_import_and_retries_a_failed_one(
    world: Any, fmap: FileMapping, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client("a_admin")
    job = previewed(world, fmap, BAD_ROWS[:1])
    page = client.get(job_url(job)).content.decode()
    assert 'id="job-previewed"' in page and 'id="confirm-import"' in page
    assert "<script>" not in page  # nothing to follow yet
    response = client.post(job_url(job, "start/"))  # queued; the worker has not run it yet
    assert response.status_code == 302
    page = client.get(job_url(job)).content.decode()
    assert 'data-status="queued"' in page and 'class="progress"' in page
    assert "<script>" in page and job_url(job, "status.json") in page  # it polls
    status = client.get(job_url(job, "status.json")).json()
    assert (status["status"], status["active"], status["percent"]) == ("queued", True, 0)
    MappingImport.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    services.import_progress_write(job_id=job.pk, done=1, total=4)
    status = client.get(job_url(job, "status.json")).json()
    assert (status["phase"], status["checked"], status["percent"]) == ("running", 1, 25)
    assert status["progress_text"] == "Checked and stored 1 of 4 rows"

    MappingImport.objects.filter(pk=job.pk).update(
        status="failed", problems=[{"row": 3, "column": "動作", "message": "跳舞 is no verb"}]
    )
    page = client.get(job_url(job)).content.decode()
    assert 'id="problems"' in page and "跳舞 is no verb" in page and "<code>動作</code>" in page
    assert 'id="retry-import"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_url(job, "start/"))
    job.refresh_from_db()
    assert job.status == "done" and Statement.objects.count() == 1


def test_platform_page_lists_recent_imports(
    world: Any, fmap: FileMapping, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.PAGE_SIZE = 3
    jobs = [
        queued_and_run(world, previewed(world, fmap), django_capture_on_commit_callbacks)
        for _ in range(7)
    ]
    hidden = previewed(world, fmap)  # a preview is not an import yet
    admin = world.client("a_admin").get(f"/analytics/platforms/{fmap.platform.public_id}/")
    html = admin.content.decode()
    assert html.count("data-import=") == 5 and f'data-import="{jobs[-1].public_id}"' in html
    assert str(hidden.public_id) not in html
    assert 'id="all-imports"' in html and f'href="{job_url(jobs[-1])}"' in html
    listing = world.client("a_admin").get(
        f"/analytics/platforms/{fmap.platform.public_id}/imports/"
    )
    assert listing.status_code == 200 and listing.content.decode().count("data-import=") == 3
    last = world.client("a_admin").get(
        f"/analytics/platforms/{fmap.platform.public_id}/imports/?page=3"
    )
    assert last.content.decode().count("data-import=") == 1
    staff = world.client("a_staff").get(f"/analytics/platforms/{fmap.platform.public_id}/")
    text = staff.content.decode()  # readers see the list, without links to the jobs
    assert text.count("data-import=") == 5 and job_url(jobs[-1]) not in text


def test_empty_import_list_says_what_to_do(world: Any, fmap: FileMapping) -> None:
    html = world.client("a_admin").get(f"/analytics/platforms/{fmap.platform.public_id}/imports/")
    assert 'class="empty"' in html.content.decode()
    page = world.client("a_admin").get(f"/analytics/platforms/{fmap.platform.public_id}/")
    assert "No file has been imported yet" in page.content.decode()


# --------------------------------------------------------------------------- who may


JOB_PAGES = ["", "status.json"]


def test_other_county_gets_404(world: Any, fmap: FileMapping, pb: Platform) -> None:
    job = previewed(world, fmap)
    client = world.client("b_admin")
    for suffix in JOB_PAGES:
        assert client.get(job_url(job, suffix)).status_code == 404, suffix
    assert client.post(job_url(job, "start/")).status_code == 404
    assert client.get(f"/analytics/platforms/{fmap.platform.public_id}/imports/").status_code == 404
    # B's own platform with A's job: still 404
    other = f"/analytics/platforms/{pb.public_id}/imports/{job.public_id}/"
    assert client.get(other).status_code == 404
    assert client.post(other + "start/").status_code == 404
    assert MappingImport.objects.get().status == "previewed"


@pytest.mark.parametrize(
    "user", ["a_staff", "moe", "elem_admin", "elem_teacher", "elem_student", "outsider"]
)
def test_readers_and_school_roles_get_403(world: Any, fmap: FileMapping, user: str) -> None:
    job = previewed(world, fmap)
    client = world.client(user)
    for suffix in JOB_PAGES:
        assert client.get(job_url(job, suffix)).status_code == 403, suffix
    assert client.post(job_url(job, "start/")).status_code == 403
    assert client.get(f"/analytics/platforms/{fmap.platform.public_id}/imports/").status_code == 403
    assert MappingImport.objects.get().status == "previewed"
    with pytest.raises(PermissionDenied):
        mapping_import_queue(actor=world.users[user], job=job)
    with pytest.raises(PermissionDenied):
        mapping_import_preview(
            actor=world.users[user], mapping=fmap, filename="e.csv", content=csv_bytes(GOOD_ROWS)
        )
    assert MappingImport.objects.count() == 1 and not Statement.objects.exists()


def test_start_needs_a_post(world: Any, fmap: FileMapping) -> None:
    job = previewed(world, fmap)
    assert world.client("a_admin").get(job_url(job, "start/")).status_code == 405
    assert MappingImport.objects.get().status == "previewed"


def test_malformed_or_unknown_job_is_404(world: Any, fmap: FileMapping) -> None:
    client = world.client("a_admin")
    base = f"/analytics/platforms/{fmap.platform.public_id}/imports/"
    assert client.get(base + "00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get(base + "nope/").status_code == 404
