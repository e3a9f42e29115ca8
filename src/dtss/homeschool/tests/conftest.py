"""Every homeschool test runs on a school day in the daytime (Monday 30 November 2026, 10:00
in Taipei, the clock ticking), so that quiet hours (21:00–07:00 by default) never hold back a
notification a test did not mean to hold. Tests of quiet hours travel on their own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.utils import timezone


@pytest.fixture(autouse=True)
def _school_day() -> Iterator[None]:
    moment = dt.datetime(2026, 11, 30, 10, 0, tzinfo=timezone.get_default_timezone())
    with time_machine.travel(moment, tick=True):
        yield
