"""The write path's cost: a constant number of queries per batch, whatever its size.

Benchmark target (issue 5): ≥ 5,000 statements/s with POST batches of 100, so a batch must be
a handful of set-based queries (one SELECT on the unique index, one INSERT per table).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dtss.lrs.attachments import AttachmentPart
from dtss.lrs.models import Statement
from dtss.lrs.statement_services import statements_store

pytestmark = pytest.mark.django_db

# SQLite's insert (an executemany) reads the new statements' ids back in one more query.
READ_BACK = 0 if connection.vendor == "postgresql" else 1

AUTHORITY = {"objectType": "Agent", "account": {"homePage": "https://dtss.example/", "name": "k"}}


def batch(size: int, *, with_ids: bool = True, void: str | None = None) -> list[dict[str, Any]]:
    out = []
    for n in range(size):
        data: dict[str, Any] = {
            "actor": {"mbox": f"mailto:student{n % 7}@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {
                "id": f"http://example.org/activities/{n % 5}",
                "definition": {"name": {"en-US": f"Activity {n % 5}"}},
            },
            "context": {
                "registration": str(uuid.uuid4()),
                "instructor": {"mbox": "mailto:teacher@example.org"},
                "contextActivities": {"parent": [{"id": "http://example.org/course"}]},
            },
            "result": {"score": {"scaled": 0.5}, "completion": True},
        }
        if with_ids:
            data["id"] = str(uuid.uuid4())
        out.append(data)
    if void:
        out.append(
            {
                "actor": {"mbox": "mailto:teacher@example.org"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
                "object": {"objectType": "StatementRef", "id": void},
            }
        )
    return out


def store_counting(statements: list[dict[str, Any]], **kw: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        statements_store(
            store=1,
            credential_id=None,
            authority=AUTHORITY,
            statements=statements,
            version="1.0.3",
            **kw,
        )
    return len(ctx.captured_queries)


def test_queries_per_batch_do_not_grow_with_its_size(db) -> None:
    """Performance: the same number of queries for 10 and 100 statements (first batch creates
    the activities, later batches only read them)."""
    first = store_counting(batch(10))
    small = store_counting(batch(10))
    large = store_counting(batch(100))
    assert small == large
    # savepoint + SELECT ids + INSERT statements/agents/activity rows + SELECT activities
    # + savepoint release (+ on SQLite one SELECT of the new rows' ids on the unique index: its
    # INSERT is an executemany, which returns no ids)
    assert large <= 7 + READ_BACK, large
    assert first <= 8 + READ_BACK
    assert Statement.objects.count() == 120


def test_voiding_and_attachments_add_constant_queries(db) -> None:
    """Performance: voiding adds one UPDATE, attachments one SELECT and one INSERT."""
    target = batch(1)
    store_counting(target)
    store_counting(batch(50))  # creates the activities
    plain = store_counting(batch(50))
    voiding = store_counting(batch(50, void=target[0]["id"]))
    assert voiding == plain + 1
    content = b"x" * 100
    import hashlib

    sha = hashlib.sha256(content).hexdigest()
    statements = batch(50)
    for data in statements:
        data["attachments"] = [
            {
                "usageType": "http://example.org/usage",
                "display": {"en-US": "file"},
                "contentType": "text/plain",
                "length": 100,
                "sha2": sha,
            }
        ]
    part = {sha: AttachmentPart(sha2=sha, content_type="text/plain", content=content)}
    assert store_counting(statements, attachments=part) == plain + 2


def test_django_assert_max_num_queries(db, django_assert_max_num_queries) -> None:
    """Performance: a batch of 100 costs at most 7 queries (8 on SQLite)."""
    store_counting(batch(5))
    with django_assert_max_num_queries(7 + READ_BACK):
        statements_store(
            store=1,
            credential_id=None,
            authority=AUTHORITY,
            statements=batch(100, with_ids=False),
            version="2.0.0",
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_definition_already_merged_costs_no_activity_query() -> None:
    """A platform repeats an activity's definition with every statement: once it is in the
    database (committed), later batches skip the activity table; a changed definition is still
    merged."""
    from dtss.lrs.models import Activity

    def activity_queries(statements: list[dict[str, Any]]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            statements_store(
                store=1,
                credential_id=None,
                authority=AUTHORITY,
                statements=statements,
                version="1.0.3",
            )
        return sum("lrs_activity" in q["sql"] for q in ctx.captured_queries)

    assert activity_queries(batch(20)) > 0  # new activities: looked up and created
    assert activity_queries(batch(20)) == 0  # the same definitions again
    changed = batch(1)
    changed[0]["object"]["definition"] = {"name": {"zh-TW": "活動 0"}}
    assert activity_queries(changed) > 0
    definition = Activity.objects.get(store=1, activity_id="http://example.org/activities/0")
    assert definition.definition["name"] == {"en-US": "Activity 0", "zh-TW": "活動 0"}


def test_a_rolled_back_batch_leaves_nothing_remembered() -> None:
    """Definitions are remembered only when their transaction commits: after a rollback the
    next batch writes the activity again."""
    from django.db import transaction

    from dtss.lrs.models import Activity

    with pytest.raises(RuntimeError), transaction.atomic():
        statements_store(
            store=1, credential_id=None, authority=AUTHORITY, statements=batch(3), version="1.0.3"
        )
        raise RuntimeError("rolled back")
    assert not Activity.objects.filter(store=1).exists()
    statements_store(
        store=1, credential_id=None, authority=AUTHORITY, statements=batch(3), version="1.0.3"
    )
    assert Activity.objects.filter(store=1).count() == 4  # 3 activities and the course
