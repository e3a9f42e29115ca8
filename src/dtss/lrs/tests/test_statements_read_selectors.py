"""The statement selectors behind GET /xapi/statements, used also by staff pages and analytics.

Communication §2.1.4 (StatementRef filter rule) through both of its query strategies, and the
keyset paging of `statement_page` / `statement_iter` / `statement_query`.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dtss.lrs import statement_selectors
from dtss.lrs.statement_selectors import (
    Cursor,
    StatementFilter,
    statement_iter,
    statement_page,
    statement_query,
)
from dtss.lrs.tests.test_statements_read import VOIDED, agent, listing, post, stmt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_margin(settings: Any) -> None:
    settings.LRS_CONSISTENCY_MARGIN_MS = 0


@pytest.mark.parametrize("target_cap", [5000, 0])
def test_statement_ref_rule_by_targets_and_by_scanning_refs(xapi, monkeypatch, target_cap) -> None:
    """Communication §2.1.4, XAPI-00162: the same result whether the refs are found from the
    matching targets (few matches) or by scanning the refs of the range (many matches)."""
    monkeypatch.setattr(statement_selectors, "TARGET_CAP", target_cap)
    verb = f"http://example.org/verbs/{uuid.uuid4()}"
    voided = stmt(verb=verb)
    post(xapi, voided)
    voiding = stmt(verb=VOIDED, obj={"objectType": "StatementRef", "id": voided["id"]})
    post(xapi, voiding)
    ref = stmt(verb=verb, obj={"objectType": "StatementRef", "id": voided["id"]})
    post(xapi, ref)
    chained = stmt(actor="chain", obj={"objectType": "StatementRef", "id": ref["id"]})
    post(xapi, chained)
    unrelated = stmt(obj={"objectType": "StatementRef", "id": str(uuid.uuid4())})
    post(xapi, unrelated)
    expected = [chained["id"], ref["id"], voiding["id"]]
    assert listing(xapi, verb=verb) == expected
    assert listing(xapi, verb=verb, ascending="true") == list(reversed(expected))
    assert listing(xapi, verb=verb, limit=1) == [chained["id"]]
    seen = []
    response = xapi.get("statements", params={"verb": verb, "limit": 1})
    while True:
        body = response.json()
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        response = xapi.client.get(
            body["more"], headers={"Authorization": xapi.auth, "X-Experience-API-Version": "1.0.3"}
        )
    assert seen == expected


def test_statement_page_and_iter_for_staff_and_analytics(xapi, world) -> None:
    """The selector API: statement_query (a queryset, direct matches), statement_page (keyset
    pages) and statement_iter (every statement) agree, and read one store only."""
    store = world.counties["A"].id
    written = [stmt(actor="pat") for _ in range(5)]
    post(xapi, *written[:2])
    post(xapi, *written[2:])
    f = StatementFilter(agent_key="mbox:mailto:pat@example.org")
    by_query = [str(s.statement_id) for s in statement_query(store=store, filters=f)]
    by_iter = [str(s.statement_id) for s in statement_iter(store=store, filters=f, batch=2)]
    assert by_query == by_iter
    assert sorted(by_query) == sorted(s["id"] for s in written)
    first = statement_page(store=store, filters=f, limit=3)
    assert first.next_cursor is not None
    second = statement_page(store=store, filters=f, limit=3, after=first.next_cursor)
    assert second.next_cursor is None
    assert [str(s.statement_id) for s in first.statements + second.statements] == by_query
    assert statement_page(store=world.counties["B"].id, filters=f, limit=3).statements == []
    assert Cursor.from_list(first.next_cursor.to_list()) == first.next_cursor
    assert StatementFilter.from_dict(f.to_dict()) == f


def test_filter_round_trip_keeps_every_field() -> None:
    """The more token carries the filter: every field survives to_dict/from_dict."""
    import datetime as dt

    f = StatementFilter(
        agent_key="mbox:mailto:a@example.org",
        verb_id="http://example.org/v",
        activity_id="http://example.org/a",
        registration=uuid.uuid4(),
        related_agents=True,
        related_activities=True,
        since=dt.datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=dt.UTC),
        until=dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
        ascending=True,
        credential_id=7,
    )
    assert StatementFilter.from_dict(f.to_dict()) == f


def test_agent_filter_on_group_with_ifi(xapi) -> None:
    """Communication §2.1.3 agent: an identified Group as the agent parameter matches the
    statements whose actor is that Group."""
    group = {"objectType": "Group", "mbox": "mailto:team@example.org", "member": [agent("m1")]}
    s = stmt()
    s["actor"] = group
    post(xapi, s, stmt())
    assert listing(xapi, agent={"objectType": "Group", "mbox": "mailto:team@example.org"}) == [
        s["id"]
    ]
    assert listing(xapi, agent=agent("m1")) == [s["id"]]
