"""The county dashboard's heatmap in a real browser (Debian's Chromium through
/usr/bin/chromedriver, as in dtss/core/tests/test_browser.py).

County A's two schools reach different stages through the services (strategies marked
implemented with evidence, then submitted, accepted or sent back), after two earlier cycles in
which the elementary school already stood where it stands now. County A's administrator opens
the dashboard from the top bar on a laptop: one row per school of county A (none of county B),
one column per Table 7 item, each cell at the stage the data implies; the distribution per
item, "not moved for two cycles" and the county's own Table 6 profile; filters by district,
school stage, size and area narrow the rows and clear again; column headings sort; the cycle
can be chosen; links lead to the school's profile and its assessment; both languages show the
same data. County A's staff reads it on a phone without the page scrolling sideways. County B's
administrator gets a 404 for county A's dashboard.

The assertions read stage keys from the cells' classes (`st-D` …), item codes, link targets
and ids, never translated strings: the Chinese translations are written separately.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dtss.conftest import PASSWORD
from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    DESKTOP,
    EN,
    PHONE,
    ZH,
    Browser,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.framework import services
from dtss.framework.models import Assessment, Item, Level
from dtss.framework.selectors import current_version
from dtss.framework.tests.test_assess_views import Setup, open_cycles
from dtss.framework.tests.test_dashboard import open_cycle, set_stages
from dtss.orgs import services as org_services
from dtss.orgs.models import School

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    # live_server makes these transactional; the flush after each test would also remove the
    # counties and the framework loaded by migration, so restore them before each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DASHBOARD = "/framework/dashboard/"
STAGES = ("D", "A", "M")
# What each school reaches in the current cycle, through the services.
ELEM = {"S1": "M", "S2": "D", "S3": None, "S4": "A", "S5": "D"}  # then accepted
JUNIOR = {"S1": "D", "S2": "D", "S3": None, "S4": None, "S5": "M"}  # sent back for changes
COUNTY = {"L1": None, "L2": "D", "L3": None, "L4": None, "L5": None, "L6": None, "L7": None}
# Stage key per item, as the cells show it.
ELEM_KEYS = ["M", "D", "none", "A", "D"]
JUNIOR_KEYS = ["D", "D", "none", "none", "M"]


# --- the data -----------------------------------------------------------------------------------


def _reach(assessment: Assessment, actor: Any, targets: dict[str, str | None]) -> None:
    """Mark every strategy up to each item's target stage implemented, with evidence."""
    for code, stage in targets.items():
        if stage is None:
            continue
        for response in assessment.responses.filter(
            strategy__item__code=code, strategy__stage__in=STAGES[: STAGES.index(stage) + 1]
        ).select_related("strategy"):
            services.evidence_add(
                response=response, actor=actor, kind="text", text=f"{response.strategy.code} 紀錄"
            )
            services.response_update(response=response, actor=actor, status="implemented")
    assessment.refresh_from_db()
    assert assessment.stages == targets, assessment.stages


class Data:
    """County A's cycle (from open_cycles) in several stages, two earlier cycles, and the ids
    the browser checks against."""

    def __init__(self, world: Any) -> None:
        today = timezone.localdate()
        elem, junior = world.schools["A-elem"], world.schools["A-junior"]
        # Two districts, sizes and areas, so that every filter can narrow the two rows. The
        # district is not editable through school_update (schools do not move), so it is set
        # directly; the rest goes through the service.
        self.a2 = org_services.district_create(
            county=world.counties["A"], code="A2", name_zh="埔里鎮", name_en="Puli Township"
        )
        org_services.school_update(school=junior, actor=None, area="remote")
        org_services.school_update(school=elem, actor=None, name_en="Nantou Elementary School")
        School.objects.filter(pk=junior.pk).update(district=self.a2)
        junior.refresh_from_db()
        self.a1 = elem.district

        # Two earlier cycles, both submitted: the elementary school stood where it stands now
        # ("not moved for two cycles"), the junior high had nothing yet.
        self.history = []
        for days, name in ((400, "113學年度第1學期"), (200, "113學年度第2學期")):
            c = open_cycle(world, name, today - timedelta(days=days))
            set_stages(c, {elem.code: ELEM, junior.code: dict.fromkeys(JUNIOR)}, submit=True)
            self.history.append(c)

        self.setup: Setup = open_cycles(world)
        self.cycle = self.setup.cycle_a
        a = self.setup.assessments
        _reach(a["elem"], world.users["elem_admin"], ELEM)
        services.assessment_submit(assessment=a["elem"], actor=world.users["elem_admin"])
        services.assessment_accept(assessment=a["elem"], actor=world.users["a_staff"])
        _reach(a["junior"], world.users["junior_admin"], JUNIOR)
        services.assessment_submit(assessment=a["junior"], actor=world.users["junior_admin"])
        services.assessment_request_changes(
            assessment=a["junior"], actor=world.users["a_staff"], item=None, note="請補 S2 佐證"
        )
        _reach(a["county"], world.users["a_admin"], COUNTY)
        for key, status in (("elem", "accepted"), ("junior", "changes_requested")):
            a[key].refresh_from_db()
            assert a[key].status == status

        self.items = list(
            Item.objects.filter(version=current_version(), level=Level.SCHOOL)
            .order_by("order")
            .values_list("code", flat=True)
        )
        assert self.items == list(ELEM), self.items
        # school public id → (school code, the assessment's public id in the current cycle)
        self.schools = {
            str(elem.public_id): ("083601", str(a["elem"].public_id)),
            str(junior.public_id): ("083501", str(a["junior"].public_id)),
        }
        self.keys = {"083601": ELEM_KEYS, "083501": JUNIOR_KEYS}
        self.profile_url = {
            code: f"/framework/schools/{pid}/profile/" for pid, (code, _a) in self.schools.items()
        }


# --- reading the page ---------------------------------------------------------------------------

HEATMAP_JS = """
const table = document.querySelector('#heatmap ~ .table-wrap table.heatmap');
if (!table) return null;
const keyOf = el => {
  const c = Array.from(el.classList).find(c => c.startsWith('st-'));
  return c ? c.slice(3) : null;
};
const heads = Array.from(table.tHead.rows[0].cells);
return {
  items: heads.map(th => th.textContent.trim()).filter(t => /^S\\d+$/.test(t)),
  sort: Object.fromEntries(heads.map(th => [th.textContent.trim(), th.getAttribute('aria-sort')])),
  rows: Array.from(table.tBodies[0].rows).map(tr => {
    const profile = tr.querySelector('a[href*="/framework/schools/"]');
    const assessment = tr.querySelector('td:not(.st) a[href*="/framework/assessments/"]');
    const cells = Array.from(tr.querySelectorAll('td.st'));
    return {
      profile: profile ? profile.getAttribute('href') : null,
      name: profile ? profile.textContent.trim() : null,
      assessment: assessment ? assessment.getAttribute('href') : null,
      keys: cells.map(keyOf),
      links: cells.map(td => td.querySelector('a') && td.querySelector('a').getAttribute('href')),
      texts: cells.map(td => {
        const a = td.querySelector('a') || td;
        const hidden = td.querySelector('.sr-only');
        const shown = a.textContent.replace(hidden ? hidden.textContent : '', '').trim();
        return [keyOf(td), shown, a.getAttribute('title') || ''];
      }),
    };
  }),
};
"""

DISTRIBUTION_JS = """
const section = document.querySelector('section[aria-labelledby=distribution]');
if (!section) return null;
const out = {};
for (const tr of section.querySelectorAll('tbody tr')) {
  const code = tr.querySelector('th').textContent.trim().split(/\\s+/)[0];
  const parts = {};
  for (const span of tr.querySelectorAll('.stack > span')) {
    const c = Array.from(span.classList).find(c => c.startsWith('st-'));
    parts[c.slice(3)] = parseInt(span.textContent.trim(), 10);
  }
  out[code] = parts;
}
return out;
"""

PANEL_ROWS_JS = """
const section = document.querySelector(arguments[0]);
if (!section) return null;
return Array.from(section.querySelectorAll('tbody tr')).map(tr => ({
  profile: (tr.querySelector('a[href*="/framework/schools/"]') || {getAttribute: () => null})
    .getAttribute('href'),
  keys: Array.from(tr.querySelectorAll('td.st'))
    .map(td => Array.from(td.classList).find(c => c.startsWith('st-')).slice(3)),
}));
"""


def _heatmap(b: Browser, data: Data) -> list[tuple[str, list[str]]]:
    """(school code, stage keys) per heatmap row, in page order; [] when no school matches."""
    b.css("#heatmap")
    found = b.driver.execute_script(HEATMAP_JS)
    if found is None:
        assert b.css("main .empty").is_displayed()
        return []
    assert found["items"] == data.items, found["items"]
    rows = []
    for row in found["rows"]:
        match = re.fullmatch(r"/framework/schools/([0-9a-f-]+)/profile/", row["profile"] or "")
        assert match and match[1] in data.schools, f"a row of an unknown school: {row}"
        code, assessment_id = data.schools[match[1]]
        assert row["assessment"] and assessment_id in row["assessment"], row
        assert len(row["keys"]) == len(data.items), row
        # every cell opens that item of the school's assessment
        assert row["links"] == [
            f"/framework/assessments/{assessment_id}/items/{code}/" for code in data.items
        ], row
        rows.append((code, row["keys"]))
    return rows


def _sort_state(b: Browser, column: str) -> str:
    return b.driver.execute_script(HEATMAP_JS)["sort"][column]


def _distribution(b: Browser) -> dict[str, dict[str, int]]:
    found = b.driver.execute_script(DISTRIBUTION_JS)
    assert found is not None, "no stage distribution section"
    return found


def _expected_distribution(codes: list[str], data: Data) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {item: {} for item in data.items}
    for code in codes:
        for item, key in zip(data.items, data.keys[code], strict=True):
            out[item][key] = out[item].get(key, 0) + 1
    return out


def _wait_loaded(b: Browser, old: Any, what: str) -> None:
    b.wait(lambda d: _stale(old), what)
    b.wait(lambda d: d.execute_script("return document.readyState") == "complete", what)


def _click(b: Browser, selector: str, what: str) -> None:
    old = b.driver.find_element("tag name", "html")
    b.css(selector).click()
    _wait_loaded(b, old, what)


def _filter(b: Browser, **values: str) -> None:
    """Choose values in the filter form (every other select back to "All") and apply."""
    from selenium.webdriver.support.ui import Select

    for name in ("district", "stage", "size", "area"):
        Select(b.css(f"form[role=search] select[name={name}]")).select_by_value(
            values.get(name, "")
        )
    _click(b, "form[role=search] button[type=submit]", f"the filter {values} to be applied")
    for name in ("district", "stage", "size", "area"):
        value = b.css(f"form[role=search] select[name={name}]").get_attribute("value")
        assert value == values.get(name, ""), f"the {name} filter shows {value!r} after applying"


def _no_sideways_scroll(b: Browser, what: str) -> None:
    width = b.driver.execute_script("return document.documentElement.clientWidth")
    scroll = b.driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"{what} scrolls sideways on a phone ({scroll} > {width})"


def _panels(b: Browser, data: Data) -> None:
    """The distribution, "not moved", county profile and indicator panels are there and right."""
    for section in ("distribution", "not-moved", "county-profile", "indicators"):
        b.css(f"section[aria-labelledby={section}] h2#{section}")
    # the indicators panel says so in an alert when its readings failed to compute
    assert not b.has("section[aria-labelledby=indicators] [role=alert]"), b.body_text()
    not_moved = b.driver.execute_script(PANEL_ROWS_JS, "section[aria-labelledby=not-moved]")
    assert not_moved == [{"profile": data.profile_url["083601"], "keys": ELEM_KEYS}], not_moved
    county = b.driver.execute_script(
        "return Array.from(document.querySelectorAll("
        "'section[aria-labelledby=county-profile] td.st'))"
        ".map(td => Array.from(td.classList).find(c => c.startsWith('st-')).slice(3))"
    )
    assert county == [v or "none" for v in COUNTY.values()], county


def _log_in(b: Browser, username: str) -> None:
    b.log_in(username, PASSWORD)
    b.wait(lambda d: b.path() == "/", f"the home page after {username} logs in")


# --- the tests ----------------------------------------------------------------------------------


def test_county_admin_reads_filters_sorts_and_follows_the_heatmap(
    browser_factory: Callable[..., Browser],  # noqa: F811
    world: Any,
) -> None:
    data = Data(world)
    both = [("083501", JUNIOR_KEYS), ("083601", ELEM_KEYS)]  # by school code
    b = browser_factory(window=DESKTOP)
    _log_in(b, "a_admin")
    _click(b, f'header nav a[href="{DASHBOARD}"]', "the dashboard from the top bar")
    assert b.path() == DASHBOARD
    assert b.html_lang() == ZH

    # the latest cycle by default: one row per school of county A, the stage of every cell
    cycle_select = b.css("form.filters select[name=cycle]")
    assert cycle_select.get_attribute("value") == str(data.cycle.public_id)
    assert _heatmap(b, data) == both
    body = b.body_text()
    assert world.schools["B-elem"].code not in body and world.schools["B-elem"].name_zh not in body
    assert _distribution(b) == _expected_distribution(["083501", "083601"], data)
    _panels(b, data)
    # every cell says its stage in words as well as in colour: one text per stage, never empty
    cells = [t for row in b.driver.execute_script(HEATMAP_JS)["rows"] for t in row["texts"]]
    texts = {(key, text) for key, text, _title in cells}
    assert {key for key, _t in texts} == {"none", "D", "A", "M"}
    assert len(texts) == 4 and all(text for _k, text in texts), texts
    assert all(title for _k, _t, title in cells), cells

    # filters narrow the rows (and the distribution), and clear again
    _filter(b, district=str(data.a2.public_id))
    assert _heatmap(b, data) == [("083501", JUNIOR_KEYS)]
    _filter(b, district=str(data.a1.public_id))
    assert _heatmap(b, data) == [("083601", ELEM_KEYS)]
    _filter(b, stage="elementary")
    assert _heatmap(b, data) == [("083601", ELEM_KEYS)]
    assert _distribution(b) == _expected_distribution(["083601"], data)
    _filter(b, stage="junior")
    assert _heatmap(b, data) == [("083501", JUNIOR_KEYS)]
    _filter(b, size="500-999")  # 500 students
    assert _heatmap(b, data) == [("083501", JUNIOR_KEYS)]
    _filter(b, size="100-499")  # 300 students
    assert _heatmap(b, data) == [("083601", ELEM_KEYS)]
    _filter(b, area="remote")
    assert _heatmap(b, data) == [("083501", JUNIOR_KEYS)]
    _filter(b, area="remote", stage="elementary")
    assert _heatmap(b, data) == []
    assert _distribution(b) == _expected_distribution([], data)
    _filter(b)
    assert _heatmap(b, data) == both

    # sorting by an item: highest stage first, then the other way round; by code again
    _click(b, "#heatmap ~ .table-wrap thead a[href*='sort=S1']", "the sort by S1")
    assert _heatmap(b, data) == both[::-1]  # M before D
    assert _sort_state(b, "S1") == "descending"
    _click(b, "#heatmap ~ .table-wrap thead a[href*='sort=-S1']", "the sort by S1, lowest first")
    assert _heatmap(b, data) == both
    assert _sort_state(b, "S1") == "ascending"
    _click(b, "#heatmap ~ .table-wrap thead a[href*='sort=S4']", "the sort by S4")
    assert _heatmap(b, data) == both[::-1]  # A before none
    assert _sort_state(b, "S4") == "descending" and _sort_state(b, "S1") == "none"
    # a filter keeps the sort
    _filter(b, district=str(data.a1.public_id))
    assert "sort=S4" in b.path()
    assert _heatmap(b, data) == [("083601", ELEM_KEYS)]
    _filter(b)
    assert "sort=S4" in b.path() and _heatmap(b, data) == both[::-1]

    # English: the same rows, stages, order, filters; the school's English name
    query = b.path()
    assert b.switch_language() == EN
    b.wait(lambda d: b.path() == query, "the same dashboard URL in English")
    assert _heatmap(b, data) == both[::-1]
    assert _distribution(b) == _expected_distribution(["083501", "083601"], data)
    _panels(b, data)
    names = [r["name"] for r in b.driver.execute_script(HEATMAP_JS)["rows"]]
    assert names == ["Nantou Elementary School", "南投國中"], names
    _filter(b, stage="junior")
    assert _heatmap(b, data) == [("083501", JUNIOR_KEYS)]
    _filter(b)

    # an earlier cycle: the stages of then
    from selenium.webdriver.support.ui import Select

    Select(b.css("form.filters select[name=cycle]")).select_by_value(str(data.history[1].public_id))
    _click(b, "form.filters:not([role=search]) button[type=submit]", "the earlier cycle")
    rows = b.driver.execute_script(HEATMAP_JS)["rows"]
    assert sorted((r["profile"], r["keys"]) for r in rows) == sorted(
        [(data.profile_url["083601"], ELEM_KEYS), (data.profile_url["083501"], ["none"] * 5)]
    )
    assert b.switch_language() == ZH
    Select(b.css("form.filters select[name=cycle]")).select_by_value(str(data.cycle.public_id))
    _click(b, "form.filters:not([role=search]) button[type=submit]", "the current cycle")
    # changing the cycle keeps the sort order chosen (by name, English names first)
    assert b.driver.execute_script(HEATMAP_JS)["sort"]["S1"] == "none"
    assert sorted(_heatmap(b, data)) == both

    # a row leads to the school's assessment of this cycle, and to its profile
    elem = data.setup.assessments["elem"]
    row = f"#heatmap ~ .table-wrap tbody tr:has(a[href='{data.profile_url['083601']}'])"
    _click(b, f"{row} td:not(.st) a[href*='/framework/assessments/']", "the school's assessment")
    assert b.path() == f"/framework/assessments/{elem.public_id}/"
    assert b.css("[data-assessment-status]").get_attribute("data-assessment-status") == "accepted"
    assert data.cycle.name in b.css("main h1").text
    b.driver.back()
    _heatmap(b, data)
    # a cell opens that item of the assessment
    _click(b, f"{row} td.st a[href$='/items/S4/']", "the S4 cell")
    assert b.path() == f"/framework/assessments/{elem.public_id}/items/S4/"
    assert "S4" in b.css("main h1").text
    b.driver.back()
    _heatmap(b, data)
    _click(b, f"{row} th a", "the school's profile")
    assert b.path() == data.profile_url["083601"]
    assert world.schools["A-elem"].name_zh in b.css("main h1").text


def test_county_staff_reads_the_dashboard_on_a_phone(
    browser_factory: Callable[..., Browser],  # noqa: F811
    world: Any,
) -> None:
    data = Data(world)
    b = browser_factory(window=PHONE)
    _log_in(b, "a_staff")
    b.open(DASHBOARD)
    assert _heatmap(b, data) == [("083501", JUNIOR_KEYS), ("083601", ELEM_KEYS)]
    _panels(b, data)
    _no_sideways_scroll(b, "the county dashboard")
    # the heatmap itself may scroll, inside its own box
    overflow = b.driver.execute_script(
        "return getComputedStyle(document.querySelector('#heatmap ~ .table-wrap')).overflowX"
    )
    assert overflow in ("auto", "scroll"), overflow
    _filter(b, stage="elementary")
    assert _heatmap(b, data) == [("083601", ELEM_KEYS)]
    _no_sideways_scroll(b, "the filtered county dashboard")
    assert b.switch_language() == EN
    assert _heatmap(b, data) == [("083601", ELEM_KEYS)]
    _panels(b, data)
    _no_sideways_scroll(b, "the county dashboard in English")


FETCH_STATUS_JS = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: 'same-origin'}).then(r => done(r.status), e => done(String(e)));
"""


def test_another_countys_admin_gets_404_for_county_a(
    browser_factory: Callable[..., Browser],  # noqa: F811
    world: Any,
) -> None:
    data = Data(world)
    b = browser_factory(window=DESKTOP)
    _log_in(b, "b_admin")
    # b_admin's own dashboard works and shows county B's school only
    b.open(DASHBOARD)
    b.css("#heatmap")
    rows = b.driver.execute_script(HEATMAP_JS)["rows"]
    b_profile = f"/framework/schools/{world.schools['B-elem'].public_id}/profile/"
    assert [r["profile"] for r in rows] == [b_profile], rows
    for path in (
        f"{DASHBOARD}?county={world.counties['A'].code}",
        f"{DASHBOARD}?cycle={data.cycle.public_id}",
        f"{DASHBOARD}?county={world.counties['A'].code}&cycle={data.cycle.public_id}",
    ):
        b.open(path)
        status = b.driver.execute_async_script(FETCH_STATUS_JS, b.base_url + path)
        assert status == 404, f"{path}: {status}"
        assert not b.has("table.heatmap") and not b.has("section[aria-labelledby=distribution]")
        body = b.body_text()
        for key in ("A-elem", "A-junior"):
            school = world.schools[key]
            assert school.code not in body and school.name_zh not in body, path
        assert str(data.setup.assessments["elem"].public_id) not in b.driver.page_source
