"""Real-browser tests: Debian's Chromium, driven by Selenium through /usr/bin/chromedriver.

For every role of the `world` fixture: log in through the form, land on the home page (in
Traditional Chinese, whatever the browser's Accept-Language says), see something only that role
sees, switch to English with the button in the top bar and see it again, log out through the
user menu (the login page stays in English: the choice is a cookie) and switch back to Chinese
there. Plus: a wrong password shows an error on a labelled login form.

The Chinese translations are written separately, so the assertions use the `lang` attribute,
link targets and data (names, codes), never translated strings.

Skipped only when /usr/bin/chromedriver is missing, except under CI=true, where that is a
failure (.ci/run installs chromium and chromium-driver, so a skip there would hide a problem).
Selenium Manager never runs: the driver and browser paths are given, and SE_AVOID_STATS is set.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dtss.conftest import PASSWORD

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = Path("/usr/bin/chromium")
WAIT_SECONDS = 20
PHONE = (390, 844)
DESKTOP = (1280, 900)
ZH, EN = "zh-Hant-TW", "en"

if not CHROMEDRIVER.exists() and os.environ.get("CI", "").lower() == "true":
    pytest.fail(f"{CHROMEDRIVER} is missing on CI (install chromium-driver)", pytrace=False)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    # live_server makes these transactional; the flush after each test would also remove the
    # counties loaded by migration, so restore them before each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@dataclass
class Browser:
    driver: Any
    base_url: str

    # --- waiting ------------------------------------------------------------------------
    def wait(self, condition: Callable[[Any], Any], what: str) -> Any:
        from selenium.common.exceptions import (
            NoSuchElementException,
            StaleElementReferenceException,
            TimeoutException,
        )
        from selenium.webdriver.support.ui import WebDriverWait

        try:
            return WebDriverWait(
                self.driver,
                WAIT_SECONDS,
                ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
            ).until(condition)
        except TimeoutException:
            raise AssertionError(
                f"Timed out after {WAIT_SECONDS}s waiting for {what}.\n"
                f"URL: {self.driver.current_url}\nPage text:\n{self.body_text()[:2000]}"
            ) from None

    def body_text(self) -> str:
        from selenium.webdriver.common.by import By

        try:
            return self.driver.find_element(By.TAG_NAME, "body").text
        except Exception:
            return "(no body)"

    def css(self, selector: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.wait(
            lambda d: next(
                (e for e in d.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()), None
            ),
            f"a visible {selector!r}",
        )

    def has(self, selector: str) -> bool:
        from selenium.webdriver.common.by import By

        return bool(self.driver.find_elements(By.CSS_SELECTOR, selector))

    def html_lang(self) -> str:
        return self.driver.execute_script("return document.documentElement.lang")

    def path(self) -> str:
        url: str = self.driver.current_url
        return url[len(self.base_url) :] if url.startswith(self.base_url) else url

    # --- actions ------------------------------------------------------------------------
    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)
        self.wait(
            lambda d: d.execute_script("return document.readyState") == "complete",
            f"{path} to load",
        )

    def log_in(self, username: str, password: str) -> None:
        self.open("/accounts/login/")
        username_input = self.css("input#id_username")
        username_input.clear()
        username_input.send_keys(username)
        password_input = self.css("input#id_password")
        password_input.send_keys(password)
        old_html = self.driver.find_element("tag name", "html")
        self.css("main form.stacked button[type=submit]").click()
        self.wait(lambda d: _stale(old_html), "the login form to be submitted")

    def switch_language(self) -> str:
        """Press the language button in the top bar; return the new `lang` of the page."""
        before = self.html_lang()
        expected = EN if before == ZH else ZH
        button = self.css("header form.lang button[name=language]")
        assert button.get_attribute("value") == ("en" if expected == EN else "zh-hant")
        button.click()
        self.wait(
            lambda d: self.html_lang() == expected,
            f"the page language to change from {before} to {expected}",
        )
        return expected

    def log_out(self) -> None:
        self.css("header details.usermenu > summary").click()
        self.css("header details.usermenu[open] form button[type=submit]").click()
        self.wait(
            lambda d: self.path().startswith("/accounts/login/"), "the login page after logging out"
        )
        self.css("input#id_username")
        assert not self.has("header details.usermenu"), "still shows a user menu after logout"


def _stale(element: Any) -> bool:
    """True once `element` has left the document (the page it was on has been replaced).

    Chromium reports a node that went away mid-command either as a stale reference or, while
    the new document is being attached, as an "unhandled inspector error: Node with given id
    does not belong to the document"; both mean the old page is gone.
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc) or "No node with given id" in str(exc):
            return True
        raise
    return False


def _chrome(window: tuple[int, int], accept_language: str, profile: str) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={window[0]},{window[1]}",
        f"--accept-lang={accept_language}",
        f"--lang={accept_language.split(',')[0]}",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": accept_language})
    service = Service(executable_path=str(CHROMEDRIVER), log_output=os.path.join(profile, "log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    driver.set_window_size(*window)
    return driver


@pytest.fixture
def browser_factory(live_server: Any) -> Iterator[Callable[..., Browser]]:
    drivers: list[Any] = []
    profiles: list[str] = []

    def make(window: tuple[int, int] = DESKTOP, accept_language: str = "zh-TW,zh") -> Browser:
        profile = tempfile.mkdtemp(prefix="dtss-chromium-")
        profiles.append(profile)
        driver = _chrome(window, accept_language, profile)
        drivers.append(driver)
        return Browser(driver=driver, base_url=live_server.url)

    yield make
    for driver in drivers:
        driver.quit()
    for profile in profiles:
        shutil.rmtree(profile, ignore_errors=True)


# --- what each role sees on the home page (language-independent checks) ----------------------


def _section_text(b: Browser, heading_id: str) -> str:
    return b.css(f"section[aria-labelledby={heading_id}]").text


def _check_moe(b: Browser, w: Any, lang: str) -> None:
    text = _section_text(b, "h-moe")
    for county in (w.counties["A"], w.counties["B"]):
        assert county.code in text
        assert (county.name_en if lang == EN else county.name_zh) in text
    assert not b.has("section[aria-labelledby=h-county]")
    assert b.has('header nav a[href="/orgs/schools/"]')
    assert not b.has('header nav a[href="/audit/"]'), "a read-only MOE viewer sees the audit log"


def _check_county(b: Browser, w: Any, lang: str, *, admin: bool) -> None:
    county = w.counties["A"]
    heading = b.css("#h-county").text
    assert (county.name_en if lang == EN else county.name_zh) in heading
    stats = [e.text for e in b.driver.find_elements("css selector", "#h-county ~ .grid .stat")]
    assert stats[:3] == ["1", "2", "800"], stats  # districts, schools, students of 南投縣
    assert w.counties["B"].name_zh not in b.body_text()
    assert b.has('header nav a[href="/orgs/office/"]')
    assert b.has('header nav a[href="/audit/"]') is admin


def _check_a_admin(b: Browser, w: Any, lang: str) -> None:
    _check_county(b, w, lang, admin=True)


def _check_a_staff(b: Browser, w: Any, lang: str) -> None:
    _check_county(b, w, lang, admin=False)


def _check_elem_admin(b: Browser, w: Any, lang: str) -> None:
    text = _section_text(b, "h-schools")
    school = w.schools["A-elem"]
    assert school.name_zh in text and school.code in text
    assert w.schools["A-junior"].name_zh not in b.body_text()
    assert b.has('header nav a[href="/audit/"]')
    assert not b.has("section[aria-labelledby=h-homeroom]")


def _check_elem_teacher(b: Browser, w: Any, lang: str) -> None:
    assert w.schools["A-elem"].name_zh in _section_text(b, "h-schools")
    homeroom = _section_text(b, "h-homeroom")
    assert str(w.classes["A-elem 5-1"]) in homeroom  # 5年01班
    assert str(w.classes["B-elem 3-2"]) not in homeroom
    assert b.has('header nav a[href="/orgs/classes/"]')
    assert not b.has('header nav a[href="/audit/"]')


def _check_elem_student(b: Browser, w: Any, lang: str) -> None:
    text = _section_text(b, "h-me")
    assert w.schools["A-elem"].name_zh in text
    assert str(w.classes["A-elem 5-1"]) in text
    assert w.people["elem_teacher"].name in text  # homeroom teacher
    assert not b.has('header nav a[href="/orgs/schools/"]')
    assert not b.has("section[aria-labelledby=h-children]")


def _check_elem_parent(b: Browser, w: Any, lang: str) -> None:
    text = _section_text(b, "h-children")
    assert w.people["elem_student"].name in text
    assert w.schools["A-elem"].name_zh in text
    assert str(w.classes["A-elem 5-1"]) in text
    assert w.people["elem_student2"].name not in b.body_text()
    assert w.people["b_student"].name not in b.body_text()
    assert not b.has('header nav a[href="/orgs/people/"]')


ROLES = [
    # username, window, the browser's Accept-Language (DTSS starts in Chinese anyway), check
    ("moe", DESKTOP, "zh-TW,zh", _check_moe),
    ("a_admin", DESKTOP, "zh-TW,zh", _check_a_admin),
    ("a_staff", DESKTOP, "en-US,en", _check_a_staff),
    ("elem_admin", DESKTOP, "zh-TW,zh", _check_elem_admin),
    ("elem_teacher", PHONE, "zh-TW,zh", _check_elem_teacher),
    ("elem_student", PHONE, "zh-TW,zh", _check_elem_student),
    ("elem_parent", PHONE, "en-US,en", _check_elem_parent),
]


@pytest.mark.parametrize(
    ("username", "window", "accept_language", "check"),
    ROLES,
    ids=[r[0] for r in ROLES],
)
def test_role_logs_in_sees_home_switches_language_and_logs_out(
    browser_factory: Callable[..., Browser],
    world: Any,
    username: str,
    window: tuple[int, int],
    accept_language: str,
    check: Callable[[Browser, Any, str], None],
) -> None:
    b = browser_factory(window=window, accept_language=accept_language)
    b.log_in(username, PASSWORD)

    b.wait(lambda d: b.path() == "/", "the home page after logging in")
    user_menu = b.css("header details.usermenu > summary")
    assert user_menu.text.strip() == world.people[username].name
    assert b.html_lang() == ZH, "DTSS should start in Traditional Chinese"
    assert world.people[username].name in b.css("main h1").text
    check(b, world, ZH)
    if window == PHONE:
        width = b.driver.execute_script("return document.documentElement.clientWidth")
        scroll = b.driver.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= width, f"the home page scrolls sideways on a phone ({scroll} > {width})"

    assert b.switch_language() == EN
    assert b.path() == "/"
    check(b, world, EN)

    b.log_out()
    assert b.html_lang() == EN, "the language choice should outlive the session"
    assert b.switch_language() == ZH
    assert b.path().startswith("/accounts/login/")
    b.open("/")
    b.wait(lambda d: b.path().startswith("/accounts/login/"), "a redirect to the login page")
    assert b.html_lang() == ZH


def test_wrong_password_shows_an_error_on_a_labelled_form(
    browser_factory: Callable[..., Browser], world: Any
) -> None:
    b = browser_factory(window=PHONE)
    b.open("/accounts/login/")
    for field_id, kind, autocomplete in [
        ("id_username", "text", "username"),
        ("id_password", "password", "current-password"),
    ]:
        field = b.css(f"input#{field_id}")
        assert field.get_attribute("type") == kind
        assert field.get_attribute("autocomplete") == autocomplete
        labels = b.driver.execute_script(
            "return Array.from(document.getElementById(arguments[0]).labels)"
            ".map(l => l.textContent.trim())",
            field_id,
        )
        assert len(labels) == 1 and labels[0], f"#{field_id} has no visible label: {labels}"

    b.log_in("elem_teacher", PASSWORD + "-wrong")
    error = b.css("main ul.errorlist[role=alert]")
    assert error.text.strip()
    assert b.path().startswith("/accounts/login/")
    assert b.css("input#id_username").get_attribute("value") == "elem_teacher"
    assert b.css("input#id_password").get_attribute("value") == ""
    assert not b.has("header details.usermenu")
