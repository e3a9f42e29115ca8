"""Notifications with quiet hours."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from dtss.homeschool import selectors, services
from dtss.homeschool.models import HomeschoolSettings, Notification

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


def test_quiet_until_over_midnight():
    window = (dt.time(21, 0), dt.time(7, 0))
    assert services.quiet_until(window, at(2026, 12, 1, 20, 59)) is None
    assert services.quiet_until(window, at(2026, 12, 1, 22, 30)) == at(2026, 12, 2, 7, 0)
    assert services.quiet_until(window, at(2026, 12, 2, 6, 0)) == at(2026, 12, 2, 7, 0)
    assert services.quiet_until(window, at(2026, 12, 2, 7, 0)) is None
    day = (dt.time(12, 0), dt.time(13, 0))
    assert services.quiet_until(day, at(2026, 12, 1, 12, 30)) == at(2026, 12, 1, 13, 0)
    assert services.quiet_until(None, at(2026, 12, 1, 23, 0)) is None


def _send(world, key, when, **kw):
    return services.notify(
        recipients=[world.people[key]],
        kind="message",
        title="老師您好",
        county_id=world.counties["A"].pk,
        school_id=world.schools["A-elem"].pk,
        now=when,
        **kw,
    )[0]


def test_message_at_night_waits_for_the_morning(world):
    with time_machine.travel(at(2026, 12, 1, 22, 15), tick=False):
        n = _send(world, "elem_teacher", timezone.now())
        assert n.deliver_at == at(2026, 12, 2, 7, 0)
        assert selectors.unread_count(user=world.users["elem_teacher"]) == 0
        assert services.notifications_deliver()["due"] == 0
    assert not mail.outbox
    with time_machine.travel(at(2026, 12, 2, 7, 1), tick=False):
        out = services.notifications_deliver()
        assert out == {"due": 1, "sent": 1}
        assert selectors.unread_count(user=world.users["elem_teacher"]) == 1
        assert services.notifications_deliver()["due"] == 0  # each once
    assert mail.outbox[-1].to == ["elem_teacher@example.org"]


def test_urgent_and_unquiet_kinds_go_at_once(world):
    when = at(2026, 12, 1, 23, 0)
    assert _send(world, "elem_teacher", when, urgent=True).deliver_at == when
    assert _send(world, "elem_teacher", when, quiet=False).deliver_at == when


def test_personal_and_school_windows(world):
    school = world.schools["A-elem"]
    HomeschoolSettings.objects.create(
        county=school.county, school=school, quiet_start=dt.time(20, 0), quiet_end=dt.time(8, 0)
    )
    assert _send(world, "elem_teacher", at(2026, 12, 1, 20, 30)).deliver_at == at(2026, 12, 2, 8)
    services.preference_save(
        user=world.users["elem_teacher"],
        email=False,
        quiet_enabled=True,
        quiet_start=dt.time(22, 0),
        quiet_end=dt.time(6, 30),
    )
    n = _send(world, "elem_teacher", at(2026, 12, 1, 20, 30))
    assert n.deliver_at == at(2026, 12, 1, 20, 30) and not n.email_due
    assert _send(world, "elem_teacher", at(2026, 12, 1, 23, 0)).deliver_at == at(2026, 12, 2, 6, 30)


def test_preferences_validated(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.preference_save(
            user=world.users["elem_parent"],
            email=True,
            quiet_enabled=True,
            quiet_start=dt.time(22, 0),
            quiet_end=dt.time(22, 0),
        )
    assert "quiet_end" in exc.value.message_dict


def test_mark_read_only_own(world):
    n = _send(world, "elem_teacher", timezone.now(), quiet=False)
    assert services.notification_mark_read(user=world.users["elem_parent"], notifications=[n]) == 0
    assert services.notification_mark_read(user=world.users["elem_teacher"]) == 1
    assert Notification.objects.get().read_at is not None
