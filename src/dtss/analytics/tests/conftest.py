"""Fixtures of the analytics tests: statements into a county's LRS and the rollups over them.

`learning` (on top of the root `world`) gives:
- `send(statements, county="A", credential=None)`: stores statements through the LRS service, as
  a platform's request would;
- `roll(county="A")`: processes the store into the rollups (no consistency margin);
- `stmt(...)`: one statement of the DTSS xAPI profile for a person (by DTSS external id).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from dtss.analytics import profile
from dtss.analytics.rollups import rollup_process
from dtss.lrs.statement_services import statements_store

HOME = "https://adl.edu.tw"
AUTHORITY = {"objectType": "Agent", "account": {"homePage": "https://dtss.tw", "name": "test"}}


def stmt(
    name: str,
    *,
    verb: str = "experienced",
    when: dt.datetime | None = None,
    subject: str = "math",
    seconds: float | None = 600,
    success: bool | None = None,
    scaled: float | None = None,
    completion: bool | None = None,
    home: str = HOME,
    activity: str = "https://adl.edu.tw/xapi/activities/math/video/0001",
    statement_id: str | None = None,
) -> dict[str, Any]:
    """One statement by the actor whose account name is `name` (a DTSS external id)."""
    when = when or dt.datetime(2026, 10, 5, 9, 30, tzinfo=dt.UTC)
    result: dict[str, Any] = {}
    if seconds is not None:
        result["duration"] = f"PT{seconds}S"
    if success is not None:
        result["success"] = success
    if scaled is not None:
        result["score"] = {"scaled": scaled}
    if completion is not None:
        result["completion"] = completion
    s: dict[str, Any] = {
        "id": statement_id or str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": home, "name": name}},
        "verb": {"id": profile.ADL_VERBS + verb, "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": activity},
        "timestamp": when.isoformat(),
        "context": {"extensions": {profile.EXT_SUBJECT: subject}},
    }
    if result:
        s["result"] = result
    return s


def void(target_id: str, name: str = "admin") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": HOME, "name": name}},
        "verb": {"id": profile.VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target_id},
    }


@dataclass
class Learning:
    world: Any

    def county(self, key: str) -> Any:
        return self.world.counties[key]

    def send(
        self, statements: list[dict[str, Any]], county: str = "A", credential_id: int | None = None
    ) -> list[str]:
        return statements_store(
            store=self.county(county).pk,
            credential_id=credential_id,
            authority=AUTHORITY,
            statements=statements,
            version="1.0.3",
        )

    def roll(self, county: str = "A") -> int:
        return rollup_process(county_id=self.county(county).pk, margin_ms=0)


@pytest.fixture
def learning(world: Any) -> Learning:
    return Learning(world)
