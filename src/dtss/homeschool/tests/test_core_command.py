"""`dtss manage homeschool notify`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from dtss.homeschool import services

pytestmark = pytest.mark.django_db


def test_notify_command_sends_what_is_due(world):
    tz = timezone.get_default_timezone()
    night = dt.datetime(2026, 12, 1, 23, 0, tzinfo=tz)
    services.notify(
        recipients=[world.people["elem_parent"]],
        kind="message",
        title="老師的訊息",
        county_id=world.counties["A"].pk,
        school_id=world.schools["A-elem"].pk,
        now=night,
    )
    out = StringIO()
    with time_machine.travel(night + dt.timedelta(minutes=5), tick=False):
        call_command("homeschool", "notify", stdout=out)
    assert out.getvalue().strip() == "due 0, sent 0" and not mail.outbox
    out = StringIO()
    with time_machine.travel(dt.datetime(2026, 12, 2, 7, 0, 30, tzinfo=tz), tick=False):
        call_command("homeschool", "notify", stdout=out)
    assert out.getvalue().strip() == "due 1, sent 1"
    assert mail.outbox[0].to == ["elem_parent@example.org"]
    assert "老師的訊息" in mail.outbox[0].subject
