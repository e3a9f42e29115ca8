"""Helpers for the needs and procurement tests (no tests here): collections, answers, plans."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from dtss.devices import procurement_services as svc
from dtss.devices.models import (
    NeedLine,
    NeedsCollection,
    NeedSubmission,
    ProcurementAllocation,
    ProcurementPlan,
)


def today() -> dt.date:
    return timezone.localdate()


def open_collection(world: Any, *, kinds: list[str] | None = None, **extra: Any) -> NeedsCollection:
    c = svc.collection_create(
        county=world.counties["A"],
        actor=world.users["a_staff"],
        title="115 學年度資訊設備需求調查",
        instructions="請依學生人數填報",
        kinds=["tablet", "laptop"] if kinds is None else kinds,
        opens_on=today(),
        closes_on=today() + dt.timedelta(days=14),
        **extra,
    )
    return svc.collection_open(collection=c, actor=world.users["a_staff"])


def submit_needs(
    world: Any, collection: NeedsCollection, school_key: str, lines: list[tuple[str, int, int]]
) -> NeedSubmission:
    admin = {"A-elem": "elem_admin", "A-junior": "junior_admin"}[school_key]
    sub = svc.submission_get_or_create(
        collection=collection, school=world.schools[school_key], actor=world.users[admin]
    )
    for kind, qty, cost in lines:
        svc.need_line_add(
            submission=sub,
            actor=world.users[admin],
            kind=kind,
            quantity=qty,
            unit_cost=cost,
            justification="學生人數多，設備不足",
        )
    return svc.submission_submit(submission=sub, actor=world.users[admin])


@dataclass
class Loop:
    collection: NeedsCollection
    elem: NeedSubmission
    junior: NeedSubmission
    plan: ProcurementPlan

    def allocation(self, world: Any, school_key: str, kind: str = "tablet") -> Any:
        return ProcurementAllocation.objects.get(
            line__plan=self.plan, line__kind=kind, school=world.schools[school_key]
        )

    @property
    def elem_line(self) -> NeedLine:
        return self.elem.lines.first()  # type: ignore[return-value]


def make_loop(world: Any, *, approve: bool = True) -> Loop:
    """A collection answered by both schools of county A, and a plan made from it."""
    c = open_collection(world)
    elem = submit_needs(world, c, "A-elem", [("tablet", 3, 15000)])
    junior = submit_needs(world, c, "A-junior", [("tablet", 2, 17000), ("laptop", 1, 30000)])
    plan = svc.plan_create(
        county=world.counties["A"], title="平板採購", collection=c, actor=world.users["a_staff"]
    )
    if approve:
        plan = svc.plan_approve(plan=plan, actor=world.users["a_staff"])
    return Loop(collection=c, elem=elem, junior=junior, plan=plan)
