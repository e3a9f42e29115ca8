"""The demo county carries journey 8 without typing data in first. Called by the demo's own
test (dtss/demo/tests/test_demo.py), which generates the demo county once for every module."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from dtss.accounts.models import User
from dtss.core import indicators as registry
from dtss.devices import loan_selectors, loan_services
from dtss.devices.models import (
    Assignment,
    Device,
    NeedsCollection,
    ProcurementAllocation,
    StudentSupport,
)
from dtss.orgs.models import School


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def devices_walk_journey_8() -> None:
    school = School.objects.get(code="084601")
    devices = Device.objects.filter(school=school)
    assert devices.filter(kind__in=["tablet", "chromebook"]).count() > 100
    # a register the review can read: some idle, some in repair, some lost, warranties ended
    assert devices.filter(status="in_repair").exists()
    assert devices.filter(mdm_source="jamf").exists() or devices.filter(mdm_source="google")
    # the county opened this year's needs collection; 南投國小 has not answered yet
    open_ = NeedsCollection.objects.get(county=school.county, status="open")
    assert not open_.submissions.filter(school=school).exists()
    assert open_.submissions.filter(status="submitted").exists()
    # last year's plan waits for 南投國小's tablets
    waiting = ProcurementAllocation.objects.filter(school=school, received=0)
    assert waiting.exists()
    # students in need without a device are in 南投國小's loan queue, one asked
    ithead = User.objects.get(username="ithead")
    queue = loan_selectors.loan_queue(user=ithead, school=school)
    assert len(queue) >= 3
    assert StudentSupport.objects.filter(school=school).count() >= 10
    # the demo parent has an agreement to sign, and signs it
    parent = User.objects.get(username="parent")
    waiting_loans = list(loan_selectors.agreements_waiting(user=parent))
    assert len(waiting_loans) == 1
    signed = Assignment.objects.get(person__guardian_links__parent=parent.person, status="active")
    assert signed.signed_by == parent.person  # the demo parent signed the other child's
    home = _client("parent").get(reverse("core:home"))
    assert str(waiting_loans[0].public_id) in home.content.decode()
    loan = waiting_loans[0]
    loan_services.loan_sign(
        assignment=loan, signed_name=parent.person.name, agree=True, user=parent
    )
    loan.refresh_from_db()
    assert loan.status == Assignment.Status.ACTIVE
    assert (
        Assignment.objects.filter(
            person__guardian_links__parent=parent.person, status="active"
        ).count()
        == 2
    )
    # the indicators have values at 南投國小
    from datetime import date

    for ind_id in ("devices.per_student", "devices.home_device_share", "devices.support_coverage"):
        value = registry.get(ind_id).compute(school, date.today())
        assert value is not None and value > 0, ind_id
    # the pages of the journey open for their people
    for username, name in (
        ("ithead", "devices:device_list"),
        ("ithead", "devices:loan_queue"),
        ("ithead", "devices:review"),
        ("county.it", "devices:needs_list"),
        ("county.admin", "devices:plan_list"),
        ("parent", "devices:my_devices"),
        ("student", "devices:my_devices"),
    ):
        assert _client(username).get(reverse(name)).status_code == 200, (username, name)
