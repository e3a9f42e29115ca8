"""Notification pages and API: the list (delivered only, unread first, links), mark one or
all read (with a safe ?next=), settings (the school's default shown), tenancy, bad input and
both languages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dtss.homeschool import services
from dtss.homeschool.models import HomeschoolSettings, Notification, NotificationPreference

pytestmark = pytest.mark.django_db
API = "/api/v1/homeschool"


def note(world, key="elem_parent", title="聯絡簿已更新", **kw):
    return services.notify(
        recipients=[world.people[key]],
        kind="contact",
        title=title,
        url=kw.pop("url", "/homeschool/announcements/"),
        county_id=world.counties["A"].pk,
        school_id=world.schools["A-elem"].pk,
        quiet=False,
        **kw,
    )[0]


def test_list_unread_first_and_only_delivered(world):
    old = note(world, title="舊的")
    Notification.objects.filter(pk=old.pk).update(read_at=timezone.now())
    note(world, title="新的")
    later = note(world, title="明天才送")
    Notification.objects.filter(pk=later.pk).update(
        deliver_at=timezone.now() + dt.timedelta(hours=5)
    )
    note(world, "b_parent", title="別人的")
    r = world.client("elem_parent").get(reverse("homeschool:notification_list"))
    body = r.content.decode()
    assert r.status_code == 200
    assert body.index("新的") < body.index("舊的")
    assert "明天才送" not in body and "別人的" not in body
    assert 'href="/homeschool/announcements/"' in body
    assert Client().get(reverse("homeschool:notification_list")).status_code == 302


def test_mark_one_and_all_read_with_safe_next(world):
    a, b = note(world, title="一"), note(world, title="二")
    c = world.client("elem_parent")
    url = reverse("homeschool:notification_read")
    r = c.post(f"{url}?id={a.public_id}", {"next": "/homeschool/announcements/"})
    assert r.status_code == 302 and r["Location"] == "/homeschool/announcements/"
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.read_at is not None and b.read_at is None
    r = c.post(url, {"next": "https://evil.example/"})
    assert r["Location"] == reverse("homeschool:notification_list")
    b.refresh_from_db()
    assert b.read_at is not None
    other = note(world, "b_parent")
    assert c.post(f"{url}?id={other.public_id}").status_code == 404
    assert c.post(f"{url}?id=not-a-uuid").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
    assert c.get(url).status_code == 405


def test_preferences_page(world):
    school = world.schools["A-elem"]
    HomeschoolSettings.objects.create(
        county=school.county, school=school, quiet_start=dt.time(20, 30), quiet_end=dt.time(6, 45)
    )
    c = world.client("elem_parent")
    url = reverse("homeschool:preferences")
    r = c.get(url)
    assert r.status_code == 200 and "20:30" in r.content.decode() and "06:45" in r.content.decode()
    r = c.post(
        url, {"email": "", "quiet_enabled": "on", "quiet_start": "22:00", "quiet_end": "22:00"}
    )
    assert r.status_code == 200 and b"form-errors" in r.content
    assert not NotificationPreference.objects.exists()
    r = c.post(url, {"quiet_enabled": "on", "quiet_start": "25:00", "quiet_end": "07:00"})
    assert r.status_code == 200 and not NotificationPreference.objects.exists()
    r = c.post(url, {"quiet_enabled": "on", "quiet_start": "22:30", "quiet_end": "06:30"})
    assert r.status_code == 302
    pref = NotificationPreference.objects.get(person=world.people["elem_parent"])
    assert pref.quiet_start == dt.time(22, 30) and not pref.email
    assert Client().get(url).status_code == 302


@pytest.mark.parametrize("lang, marker", [("en", 'lang="en"'), ("zh-hant", 'lang="zh-Hant-TW"')])
def test_both_languages(world, lang, marker):
    note(world)
    c = world.client("elem_parent")
    c.cookies["dtss_language"] = lang
    for name in ("notification_list", "preferences"):
        r = c.get(reverse(f"homeschool:{name}"))
        assert r.status_code == 200 and marker in r.content.decode()


def test_api(world):
    a = note(world, title="一")
    note(world, title="二")
    other = note(world, "b_parent")
    c = world.client("elem_parent")
    r = c.get(f"{API}/notifications")
    assert r.status_code == 200 and r.json()["count"] == 2
    r = c.post(
        f"{API}/notifications/read",
        json.dumps({"ids": [str(other.public_id)]}),
        content_type="application/json",
    )
    assert r.status_code == 404
    r = c.post(
        f"{API}/notifications/read",
        json.dumps({"ids": [str(a.public_id)]}),
        content_type="application/json",
    )
    assert r.json() == {"count": 1}
    r = c.post(f"{API}/notifications/read", "{}", content_type="application/json")
    assert r.json() == {"count": 1}
    r = c.get(f"{API}/preferences")
    assert r.json()["own"] is False and r.json()["school_quiet_start"] == "21:00:00"
    r = c.put(
        f"{API}/preferences",
        json.dumps(
            {"email": True, "quiet_enabled": True, "quiet_start": "22:00", "quiet_end": "22:00"}
        ),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "quiet_end"
    r = c.put(
        f"{API}/preferences",
        json.dumps({"email": False, "quiet_enabled": False}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["own"] and r.json()["email"] is False
    assert Client().get(f"{API}/notifications").status_code == 401
    assert Client().get(f"{API}/preferences").status_code == 401
