"""The import task through the real task backends: Redis (RQ) and the database queue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from dtss.imports.models import ImportJob
from dtss.imports.services import import_job_create
from dtss.imports.tests.helpers import CLASS_HEADER, csv_bytes, upload
from dtss.orgs.models import SchoolClass

REDIS_URL = "redis://127.0.0.1:6379/15"
ROWS = [["114", "1", "5", str(n), "", "elem_teacher" if n == 2 else ""] for n in range(2, 7)]


def _rebuild_task(monkeypatch: Any) -> None:
    """Call after switching backends. `@task` builds its task with the class of the backend
    configured when it runs: a `django_tasks.Task` under the RQ backend (django-tasks-rq is
    built on the django-tasks package), a `django.tasks.Task` under the database one, which
    accepts only those. A process has one backend; these tests switch, so the task is rebuilt
    (and put back by monkeypatch afterwards)."""

    from django.tasks import task

    from dtss.imports import tasks

    monkeypatch.setattr(tasks, "import_run", task(tasks.import_run.func))


def _create_job(world: Any) -> ImportJob:
    school = world.schools["A-elem"]
    return import_job_create(
        user=world.users["elem_admin"],
        kind="classes",
        uploaded_file=upload("classes.csv", csv_bytes(CLASS_HEADER, ROWS)),
        county=school.county,
        school=school,
    )


def _assert_imported(world: Any, job: ImportJob) -> None:
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.summary["created"] == len(ROWS)
    numbers = set(
        SchoolClass.objects.filter(school=world.schools["A-elem"], grade=5).values_list(
            "number", flat=True
        )
    )
    assert numbers == {1, 2, 3, 4, 5, 6}


@pytest.fixture
def rq_queue(settings: Any, monkeypatch: Any) -> Iterator[Any]:
    """Redis DB 15 as the task queue, emptied before and after; skipped without Redis."""
    import django_rq
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    connection.flushdb()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}
    _rebuild_task(monkeypatch)
    # django_rq need not be in INSTALLED_APPS for get_queue (only `manage.py check` and its
    # admin pages want it), so the app registry is left alone.
    try:
        yield django_rq.get_queue("default")
    finally:
        connection.flushdb()
        connection.close()


def test_import_runs_through_redis_queue(
    world: Any, rq_queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    with django_capture_on_commit_callbacks(execute=True):
        job = _create_job(world)
    assert rq_queue.count == 1  # enqueued after the commit, not run yet
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED

    worker = SimpleWorker([rq_queue], connection=rq_queue.connection, job_class=Job)
    assert worker.work(burst=True)
    assert rq_queue.count == 0
    assert rq_queue.finished_job_registry.count == 1
    assert rq_queue.failed_job_registry.count == 0
    (rq_job_id,) = rq_queue.finished_job_registry.get_job_ids()
    assert Job.fetch(rq_job_id, connection=rq_queue.connection).return_value() == "done"
    _assert_imported(world, job)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_runs_through_database_queue(world: Any, settings: Any, monkeypatch: Any) -> None:
    """The default backend: the job is queued in the database (after the commit) and
    `db_worker --batch` runs it and stops when the queue is empty. Transactional: the worker
    claims the task in a transaction of its own and closes old connections."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _rebuild_task(monkeypatch)
    job = _create_job(world)
    task = DBTaskResult.objects.get()
    assert task.status == "READY" and task.args_kwargs["args"] == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED

    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.exception_class_path
    assert task.return_value == "done"
    _assert_imported(world, job)
