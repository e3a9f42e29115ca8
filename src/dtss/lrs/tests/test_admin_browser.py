"""A county administrator creates an LRS credential in a real browser and sees the secret once.

Debian's Chromium through /usr/bin/chromedriver, as in dtss/core/tests/test_browser.py (whose
fixtures this reuses). The administrator follows the top bar's link to the learning records,
then the credentials page, fills in the form (platform from the suggestions list), and gets the
key, the secret, the endpoint and a curl example; the secret then appears nowhere else. The
assertions read ids, link targets and data, never translated strings.
"""

from __future__ import annotations

from typing import Any

import pytest

from dtss.conftest import PASSWORD
from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    DESKTOP,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.lrs.models import Credential

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    # live_server makes these transactional; restore the migrated counties before each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_admin_creates_a_credential_and_sees_the_secret_once(
    world: Any,
    browser_factory: Any,  # noqa: F811
) -> None:
    b = browser_factory(DESKTOP)
    b.log_in("a_admin", PASSWORD)
    b.css('header nav a[href="/lrs/statements/"]').click()
    b.wait(lambda d: b.path() == "/lrs/statements/", "the learning records page")
    assert b.has("#no-statements")
    b.css('main a[href="/lrs/credentials/"]').click()
    b.wait(lambda d: b.path() == "/lrs/credentials/", "the credentials page")
    b.css("#new-credential").click()
    b.wait(lambda d: b.path() == "/lrs/credentials/new/", "the new credential form")

    options = b.driver.find_elements("css selector", "datalist#platform-suggestions option")
    assert "因材網" in [o.get_attribute("value") for o in options]
    b.css("input#id_name").send_keys("因材網 南投縣")
    b.css("input#id_platform").send_keys("因材網")
    checked = [
        e.get_attribute("value")
        for e in b.driver.find_elements("css selector", "input[name=scopes]:checked")
    ]
    assert sorted(checked) == ["profile", "state", "statements/write"]
    b.css('input[name=scopes][value="statements/read"]').click()
    old = b.driver.find_element("tag name", "html")
    b.css("#credential-form button[type=submit]").click()
    b.wait(lambda d: _stale(old), "the form to be sent")

    key = b.css("#credential-key").text
    secret = b.css("#credential-secret").text
    credential = Credential.objects.get(key=key)
    assert credential.secret_matches(secret)
    assert credential.county == world.counties["A"]
    assert "statements/read" in credential.scopes
    assert b.css("#endpoint").text.endswith("/xapi/")
    curl = b.css("#curl-example").text
    assert key in curl and secret in curl and "/xapi/statements" in curl

    b.open("/lrs/credentials/")
    assert b.has(f'tr[data-key="{key}"]')
    assert secret not in b.driver.page_source
    b.open(f"/lrs/credentials/{credential.public_id}/revoke/")
    assert secret not in b.driver.page_source
