"""`dtss demo` serves the county first and finishes the slow extensions in the background:
the same data as generating everything at once, and an interrupted run carries on."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from dtss.accounts.models import User
from dtss.demo import county
from dtss.demo.county import demo_load, demo_pending, demo_pending_run

pytestmark = pytest.mark.django_db

DRAWN: list[tuple[str, int]] = []  # (extension, first number it drew), in the order they ran


def before(rng: random.Random, progress: Any) -> None:
    DRAWN.append(("before", rng.getrandbits(32)))


def slow(rng: random.Random, progress: Any) -> None:
    DRAWN.append(("slow", rng.getrandbits(32)))
    if FAIL:
        raise RuntimeError("interrupted")


def after(rng: random.Random, progress: Any) -> None:
    DRAWN.append(("after", rng.getrandbits(32)))


FAIL: list[bool] = []


@pytest.fixture
def extensions(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
    """Three extensions, the middle one deferrable; the county itself is one account."""

    def build(rng: random.Random, progress: Any) -> None:
        User.objects.create(username="county.admin")

    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(county, "_build", build)
    monkeypatch.setattr(county, "DEMO_EXTENSIONS", [before, slow, after])
    monkeypatch.setattr(county, "DEMO_DEFERRABLE", {slow})
    DRAWN.clear()
    FAIL.clear()


def test_deferred_gives_the_same_data_as_at_once(extensions: None) -> None:
    assert demo_load(seed=5, progress=lambda _m: None) is True
    at_once = list(DRAWN)
    assert [name for name, _n in at_once] == ["before", "slow", "after"]
    assert demo_pending() == []

    User.objects.all().delete()
    DRAWN.clear()
    assert demo_load(seed=5, progress=lambda _m: None, defer=True) is True
    assert [name for name, _n in DRAWN] == ["before", "after"]  # the slow one waits
    assert [p["extension"] for p in demo_pending()] == [f"{__name__}.slow"]
    assert demo_pending_run(progress=lambda _m: None) == 1
    assert sorted(DRAWN) == sorted(at_once)  # every extension drew the same numbers
    assert demo_pending() == []


def test_an_interrupted_run_stays_pending_and_carries_on(extensions: None, tmp_path: Path) -> None:
    assert demo_load(seed=5, progress=lambda _m: None, defer=True) is True
    FAIL.append(True)
    with pytest.raises(RuntimeError):
        demo_pending_run(progress=lambda _m: None)
    assert len(demo_pending()) == 1 and (tmp_path / county.PENDING_FILE).exists()
    FAIL.clear()
    assert demo_pending_run(progress=lambda _m: None) == 1
    assert demo_pending() == []
    # the retry drew what the first attempt drew: the same generator, seeded the same
    slow_draws = [n for name, n in DRAWN if name == "slow"]
    assert len(slow_draws) == 2 and slow_draws[0] == slow_draws[1]


def test_reusing_the_demo_defers_nothing_new(extensions: None) -> None:
    assert demo_load(seed=5, progress=lambda _m: None, defer=True) is True
    assert demo_load(seed=5, progress=lambda _m: None, defer=True) is False
    assert len(demo_pending()) == 1  # still the first run's work, not written twice


def test_pages_say_the_learning_records_are_still_coming(extensions: None, client: Any) -> None:
    assert demo_load(seed=5, progress=lambda _m: None, defer=True) is True
    client.force_login(User.objects.get(username="county.admin"))
    assert b"data-demo-generating" in client.get("/").content
    demo_pending_run(progress=lambda _m: None)
    assert b"data-demo-generating" not in client.get("/").content
