"""The working-hours clock (sla.py) and the Chinese search index (search.py), without views."""

from __future__ import annotations

import datetime as dt

import pytest

from dtss.helpdesk import sla
from dtss.helpdesk.models import Article, CalendarDay, HelpdeskSettings
from dtss.helpdesk.search import article_search, grams_of, query_grams
from dtss.helpdesk.tests.factories import at, make_article

CAL = sla.WorkCalendar()  # Mon–Fri 08:00–17:00


def test_adding_working_minutes_inside_one_day() -> None:
    assert sla.add_working_minutes(at(2026, 12, 1, 9, 0), 90, CAL) == at(2026, 12, 1, 10, 30)


def test_before_opening_the_clock_starts_at_opening() -> None:
    assert sla.add_working_minutes(at(2026, 12, 1, 6, 45), 60, CAL) == at(2026, 12, 1, 9, 0)


def test_the_clock_stops_overnight_and_over_the_weekend() -> None:
    # Friday 2026-12-04 16:00 + 2 working hours = Monday 09:00
    assert sla.add_working_minutes(at(2026, 12, 4, 16, 0), 120, CAL) == at(2026, 12, 7, 9, 0)
    # raised on Saturday: counts from Monday 08:00
    assert sla.add_working_minutes(at(2026, 12, 5, 11, 0), 30, CAL) == at(2026, 12, 7, 8, 30)


def test_closed_days_and_make_up_days() -> None:
    cal = sla.WorkCalendar(
        closed=frozenset({dt.date(2026, 12, 7)}), working=frozenset({dt.date(2026, 12, 5)})
    )
    # Friday 16:00 + 2 h: one hour on Friday, one on the make-up Saturday
    assert sla.add_working_minutes(at(2026, 12, 4, 16, 0), 120, cal) == at(2026, 12, 5, 9, 0)
    # Saturday 16:30 + 2 h: Monday is closed, so Tuesday 09:30
    assert sla.add_working_minutes(at(2026, 12, 5, 16, 30), 120, cal) == at(2026, 12, 8, 9, 30)


def test_working_minutes_between_is_the_inverse() -> None:
    start = at(2026, 12, 3, 15, 20)
    for minutes in (1, 45, 100, 540, 541, 2000):
        end = sla.add_working_minutes(start, minutes, CAL)
        assert sla.working_minutes_between(start, end, CAL) == minutes
    assert sla.working_minutes_between(at(2026, 12, 4, 18, 0), at(2026, 12, 7, 7, 0), CAL) == 0
    assert sla.working_minutes_between(at(2026, 12, 2), at(2026, 12, 1), CAL) == 0


def test_a_calendar_without_working_time_is_an_error() -> None:
    with pytest.raises(ValueError):
        sla.add_working_minutes(at(2026, 12, 1, 9), 10, sla.WorkCalendar(work_days=frozenset()))


def test_calendar_for_merges_county_and_school_days(world) -> None:
    county = world.counties["A"]
    school = world.schools["A-elem"]
    HelpdeskSettings.objects.create(
        county=county, work_days="123456", work_start=dt.time(7, 30), work_end=dt.time(16, 30)
    )
    CalendarDay.objects.create(county=county, date=dt.date(2026, 12, 25), name="行憲紀念日")
    CalendarDay.objects.create(
        county=county, school=school, date=dt.date(2026, 12, 28), name="校慶補假"
    )
    CalendarDay.objects.create(
        county=county, school=school, date=dt.date(2026, 12, 25), kind="working", name="補課"
    )
    county_cal = sla.calendar_for(county_id=county.pk, school_id=None, around=dt.date(2026, 12, 1))
    school_cal = sla.calendar_for(
        county_id=county.pk, school_id=school.pk, around=dt.date(2026, 12, 1)
    )
    other = sla.calendar_for(
        county_id=county.pk, school_id=world.schools["A-junior"].pk, around=dt.date(2026, 12, 1)
    )
    assert county_cal.start == dt.time(7, 30) and 6 in county_cal.work_days
    assert not county_cal.is_working_day(dt.date(2026, 12, 25))
    assert county_cal.is_working_day(dt.date(2026, 12, 28))
    assert school_cal.is_working_day(dt.date(2026, 12, 25))  # the school's own day wins
    assert not school_cal.is_working_day(dt.date(2026, 12, 28))
    assert other.is_working_day(dt.date(2026, 12, 28))
    assert not other.is_working_day(dt.date(2026, 12, 25))


def test_grams_split_chinese_without_spaces() -> None:
    grams = grams_of("因材網登入")
    assert {"因材", "材網", "網登", "登入"} <= set(grams)
    assert grams["因材"] == 1 and grams["因"] == pytest.approx(0.2)
    assert set(grams_of("Google Classroom 2.0")) >= {"google", "classroom", "2.0"}
    assert query_grams("網") == ["網"]  # a one-character query searches the character
    assert "網" not in query_grams("因材網")  # longer ones search bigrams only
    assert grams_of("ＡＢＣ　因材") == grams_of("abc 因材")  # full-width forms normalised


def test_search_ranks_the_article_that_matches_the_whole_question(world) -> None:
    login = make_article(
        world, title_zh="因材網無法登入", body_zh="以教育雲帳號登入因材網，清除快取後再試。"
    )
    charge = make_article(
        world, title_zh="平板無法充電", body_zh="檢查充電線與插座，網路上有教學影片。"
    )
    english = make_article(
        world,
        title_zh="酷英網忘記密碼",
        body_zh="到酷英網首頁按忘記密碼。",
        title_en="Cool English: forgotten password",
        body_en="Use the forgotten password link on the Cool English home page.",
    )
    articles = Article.objects.all()
    assert article_search(articles, "因材網登不進去")[0][0] == login
    assert [a for a, _ in article_search(articles, "充電")] == [charge]
    assert [a for a, _ in article_search(articles, "forgotten PASSWORD")] == [english]
    assert article_search(articles, "印表機卡紙") == []
    assert article_search(articles, "  ") == []
    # only the queryset given is searched
    others = article_search(Article.objects.exclude(pk=login.pk), "因材網登入 充電")
    assert [a for a, _ in others] == [charge]
