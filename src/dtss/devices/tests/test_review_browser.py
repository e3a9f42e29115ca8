"""The QR stocktake on a phone, in a real browser (Debian's Chromium through chromedriver, with
the fixtures of dtss/core/tests/test_browser.py): QR images of two devices' labels (made with
segno) go through the photo input and are decoded in the page by jsQR; both show as found at
once and the third expected device as missing; a typed unknown code shows "not in the
register".

Set DTSS_SCREENSHOT_DIR to keep a screenshot of the page for a look by eye.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from dtss.conftest import PASSWORD
from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    EN,
    PHONE,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.devices import review_services as rsvc
from dtss.devices.models import StocktakeScan
from dtss.devices.tests.factories import make_device

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _qr(path: Path, payload: str) -> str:
    import segno

    segno.make(payload, error="m", micro=False).save(str(path), scale=8, border=4)
    return str(path)


def _count(b: Any, key: str) -> str:
    return b.driver.find_element("css selector", f'[data-count="{key}"]').text.strip()


def test_phone_stocktake_with_photos_and_manual_entry(
    world: Any,
    browser_factory: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    w = world
    tags = ["LAB-001", "LAB-002", "LAB-003"]
    for tag in tags:
        make_device(w, asset_tag=tag, location="Lab")
    st = rsvc.stocktake_create(school=w.schools["A-elem"], location="Lab")
    page = f"/devices/review/stocktakes/{st.public_id}/"

    b = browser_factory(PHONE)
    b.log_in("elem_admin", PASSWORD)
    b.open(page)
    if b.html_lang() != EN:
        b.switch_language()
    b.css("#scanner")
    assert _count(b, "expected") == "3" and _count(b, "missing") == "3"
    assert b.driver.execute_script("return typeof window.jsQR") == "function"

    for n, tag in enumerate(tags[:2], start=1):
        image = _qr(tmp_path / f"{tag}.png", f"DTSS:{tag}")
        b.css("input#photo").send_keys(image)
        b.wait(
            lambda d, tag=tag: b.has(f'#found-list li[data-tag="{tag}"]'),
            f"{tag} to show as found",
        )
        b.wait(lambda d, n=n: _count(b, "found") == str(n), f"{n} found")
        result = b.css("#scan-result")
        assert result.get_attribute("data-result") == "found" and tag in result.text
    assert _count(b, "missing") == "1"
    missing = b.driver.find_elements("css selector", "#missing-list li[data-tag]")
    assert [li.get_attribute("data-tag") for li in missing] == ["LAB-003"]
    assert b.driver.execute_script("return document.documentElement.scrollWidth") <= PHONE[0]

    code = b.css("input#code")
    code.send_keys("NOT-A-LABEL-42")
    b.css("form#manual button[type=submit]").click()
    b.wait(
        lambda d: b.has('#unknown-list li[data-code="NOT-A-LABEL-42"]'),
        "the unknown code to be listed",
    )
    result = b.css("#scan-result")
    assert result.get_attribute("data-result") == "unknown"
    assert "not in the register" in result.text.lower()
    assert _count(b, "unknown") == "1"
    folder = os.environ.get("DTSS_SCREENSHOT_DIR")
    if folder:
        height = b.driver.execute_script("return document.documentElement.scrollHeight")
        b.driver.set_window_size(PHONE[0], height + 140)
        b.driver.save_screenshot(os.path.join(folder, "devices_stocktake_phone.png"))
        b.driver.set_window_size(*PHONE)

    assert list(
        StocktakeScan.objects.filter(stocktake=st)
        .order_by("at", "id")
        .values_list("code", "result")
    ) == [("DTSS:LAB-001", "found"), ("DTSS:LAB-002", "found"), ("NOT-A-LABEL-42", "unknown")]
