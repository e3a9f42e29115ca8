"""A county administrator imports a platform's export file in a real browser, on a phone.

Debian's Chromium through /usr/bin/chromedriver, with the fixtures of
dtss/core/tests/test_browser.py. From the platform page the administrator opens the mapping's
import page, chooses a file and presses Preview: the preview (rows, records, the first rows)
comes in without leaving the page. A file with a bad row shows the row and column and offers no
Import button. Import queues the kept file for the background worker (the database queue here,
as in production) and opens the import's page, which follows it by itself: when a worker runs
the queue, the page turns to "done" without a click; the platform page lists the import.
The assertions read ids, link targets and data, never translated strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dtss.analytics.models import MappingImport
from dtss.analytics.platform_services import mapping_create, platform_create
from dtss.analytics.tests.test_mapping import GOOD_ROWS, HOME, SPEC, csv_bytes
from dtss.conftest import PASSWORD
from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    PHONE,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.lrs.models.statements import Statement

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_admin_previews_and_imports_a_file_on_a_phone(
    world: Any,
    browser_factory: Any,  # noqa: F811
    tmp_path: Path,
    settings: Any,
    monkeypatch: Any,
) -> None:
    from django.core.management import call_command
    from django.tasks import task

    from dtss.analytics import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(tasks, "mapping_import_run", task(tasks.mapping_import_run.func))
    platform = platform_create(
        actor=None,
        county=world.counties["A"],
        name="因材網",
        kind="adl",
        account_home_page=HOME,
        purpose="p",
        data_fields="d",
        legal_basis="l",
    )
    item = mapping_create(actor=None, platform=platform, name="練習紀錄", spec=SPEC)
    good = tmp_path / "export.csv"
    good.write_bytes(csv_bytes(GOOD_ROWS))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([GOOD_ROWS[0], "elem_student,跳舞,v,,數學,,,1,2026-10-05 10:00,,,"]))
    import_url = f"/analytics/platforms/{platform.public_id}/mappings/{item.public_id}/import/"

    b = browser_factory(PHONE)
    b.log_in("a_admin", PASSWORD)
    base = f"/analytics/platforms/{platform.public_id}/"
    for path in ("/analytics/platforms/", base + "edit/", base + "mappings/new/", base):
        b.open(path)
        width = b.driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= PHONE[0] + 1, path  # nothing wider than the phone
    b.css(f'a[href="{import_url}"]').click()
    b.wait(lambda d: b.path() == import_url, "the import page")
    page = b.driver.find_element("tag name", "html")

    b.css("#id_file").send_keys(str(bad))
    b.css("#preview-button").click()
    b.wait(lambda d: b.has("#problems"), "the problems of the bad file")
    assert "跳舞" in b.css("#problems").text and "動作" in b.css("#problems").text
    assert not b.has("#confirm-import")
    assert not _stale(page)  # the preview came in without leaving the page

    b.css("#id_file").clear()
    b.css("#id_file").send_keys(str(good))
    preview = b.driver.find_element("id", "preview")
    assert preview.get_attribute("innerHTML") == ""  # another file clears the old preview
    b.css("#preview-button").click()
    b.wait(lambda d: b.has("#confirm-import"), "the preview of the good file")
    assert b.css("#preview-rows").text == "3"
    assert "elem_student2" in b.css("#preview-table").text
    assert not _stale(page)
    assert not Statement.objects.exists()
    width = b.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE[0] + 1  # nothing wider than the phone (the table scrolls inside)
    assert MappingImport.objects.get().status == "previewed"

    b.css("#confirm-import").click()
    job = MappingImport.objects.get()
    job_url = f"/analytics/platforms/{platform.public_id}/imports/{job.public_id}/"
    b.wait(lambda d: b.path() == job_url, "the import's page")
    assert b.css("#import-progress").get_attribute("data-status") == "queued"
    assert b.has(".progress") and not Statement.objects.exists()
    job_page = b.driver.find_element("tag name", "html")
    width = b.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE[0] + 1

    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)  # the worker
    assert Statement.objects.count() == 3
    b.wait(lambda d: _stale(job_page) and b.has("#job-done"), "the page to show the import done")
    assert b.css("#job-new").text == "3"
    assert b.css("#import-progress").get_attribute("data-status") == "done"

    b.open(base)
    assert b.has(f'#recent-imports tr[data-import="{job.public_id}"]')
    assert b.has(f'#recent-imports a[href="{job_url}"]')
