"""Request services: raising, routing, escalation, replies, status, rating, and who may do
what. Pages and the API have their own tests; these pin the rules they all stand on."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from dtss.helpdesk import services
from dtss.helpdesk.models import HelpRequest, RequestMessage, ServiceTarget
from dtss.helpdesk.tests.factories import at, make_request, office_groups
from dtss.orgs import services as org_services

NOW = at(2026, 12, 1, 9, 0)  # a Tuesday


def test_a_request_goes_to_the_schools_it_head_with_its_deadlines(
    world, django_capture_on_commit_callbacks
) -> None:
    office_groups(world)
    with django_capture_on_commit_callbacks(execute=True):
        req = make_request(world, "junior_teacher", now=NOW)
    assert (req.county, req.school) == (world.counties["A"], world.schools["A-junior"])
    assert req.assignee == world.people["junior_admin"]
    assert req.number == 1 and req.status == "new" and req.escalated_to is None
    # platform: 4 working hours to answer, 2 working days to resolve
    assert req.first_response_due == at(2026, 12, 1, 13, 0)
    assert req.resolution_due == at(2026, 12, 3, 9, 0)
    assert [m.event for m in req.messages.all()] == ["created", "assigned"]
    assert [m.to for m in mail.outbox] == [["junior_admin@example.org"]]
    assert make_request(world, "junior_teacher", now=NOW).number == 2


def test_without_an_it_head_the_schools_administrators_share_it(
    world, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        req = make_request(world, "elem_parent", now=NOW)
    assert req.school == world.schools["A-elem"] and req.assignee is None
    assert [m.to for m in mail.outbox] == [["elem_admin@example.org"]]


def test_a_rule_can_escalate_as_soon_as_a_request_is_raised(
    world, django_capture_on_commit_callbacks
) -> None:
    groups = office_groups(world)
    ServiceTarget.objects.create(
        county=world.counties["A"],
        category="network",
        first_response_minutes=30,
        resolution_minutes=600,
        escalate_when="always",
        escalate_to=groups["equipment"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        req = make_request(world, "elem_teacher", category="network", platform="", now=NOW)
    assert req.escalated_to == groups["equipment"] and req.escalated_at == NOW
    assert req.first_response_due == at(2026, 12, 1, 9, 30)
    assert any(m.to == ["a_staff@example.org"] for m in mail.outbox)  # the group's member


def test_county_office_requests_go_to_the_group_of_their_category(world) -> None:
    groups = office_groups(world)
    req = make_request(world, "a_staff", category="teaching", platform="", now=NOW)
    assert req.school is None and req.county == world.counties["A"]
    assert req.escalated_to == groups["teaching"]


def test_bad_input_names_the_field_and_saves_nothing(world) -> None:
    with pytest.raises(ValidationError) as err:
        make_request(world, subject="  ", description="", category="nope", platform="xx")
    assert set(err.value.message_dict) == {"subject", "description", "category", "platform"}
    with pytest.raises(ValidationError) as err:
        make_request(world, "elem_teacher", school=world.schools["B-elem"])
    assert "school" in err.value.message_dict
    assert HelpRequest.objects.count() == 0 and RequestMessage.objects.count() == 0


def test_a_parent_with_children_at_two_schools_names_the_school(world) -> None:
    junior_child = world.people["elem_student2"]
    org_services.enrollment_create(
        student=junior_child, school_class=world.classes["A-junior 7-1"], seat_number=9
    )
    org_services.guardianship_create(
        parent=world.people["elem_parent"], child=junior_child, relation="mother"
    )
    with pytest.raises(ValidationError) as err:
        make_request(world, "elem_parent")
    assert "school" in err.value.message_dict
    req = make_request(world, "elem_parent", school=world.schools["A-junior"])
    assert req.assignee == world.people["junior_admin"]


def test_replies_notes_and_what_the_requester_sees(
    world, django_capture_on_commit_callbacks
) -> None:
    req = make_request(world, "junior_teacher", now=NOW)
    head = world.users["junior_admin"]
    services.request_reply(
        request_obj=req,
        user=head,
        body="內部：可能是教育雲帳號鎖住",
        internal=True,
        now=at(2026, 12, 1, 9, 5),
    )
    req.refresh_from_db()
    assert req.first_responded_at is None  # a note is not a response
    with django_capture_on_commit_callbacks(execute=True):
        services.request_reply(
            request_obj=req, user=head, body="請清除快取後再登入。", now=at(2026, 12, 1, 10, 0)
        )
    req.refresh_from_db()
    assert req.first_responded_at == at(2026, 12, 1, 10, 0) and req.status == "open"
    assert mail.outbox[-1].to == ["junior_teacher@example.org"]
    assert "請清除快取後再登入。" in mail.outbox[-1].body
    seen = RequestMessage.objects.visible_to(world.users["junior_teacher"]).filter(request=req)
    assert "內部：可能是教育雲帳號鎖住" not in [m.body for m in seen]
    assert "請清除快取後再登入。" in [m.body for m in seen]
    everything = RequestMessage.objects.visible_to(head).filter(request=req)
    assert "內部：可能是教育雲帳號鎖住" in [m.body for m in everything]
    with pytest.raises(PermissionError):
        services.request_reply(
            request_obj=req, user=world.users["junior_teacher"], body="x", internal=True
        )
    with pytest.raises(PermissionError):  # another school's administrator
        services.request_reply(request_obj=req, user=world.users["elem_admin"], body="x")
    with pytest.raises(ValidationError):
        services.request_reply(request_obj=req, user=head, body="   ")


def test_resolve_reopen_rate_and_close(world) -> None:
    req = make_request(world, "elem_student", now=NOW)
    student, principal = world.users["elem_student"], world.users["elem_admin"]
    with pytest.raises(ValidationError):
        services.request_rate(request_obj=req, user=student, rating=5)
    services.request_status_set(
        request_obj=req, user=principal, status="resolved", now=at(2026, 12, 1, 11)
    )
    assert req.resolved_at == at(2026, 12, 1, 11)
    services.request_reply(request_obj=req, user=student, body="還是不行", now=at(2026, 12, 1, 12))
    req.refresh_from_db()
    assert req.status == "open" and req.resolved_at is None
    services.request_status_set(
        request_obj=req, user=principal, status="resolved", now=at(2026, 12, 1, 13)
    )
    with pytest.raises(PermissionError):
        services.request_rate(request_obj=req, user=principal, rating=5)
    with pytest.raises(ValidationError):
        services.request_rate(request_obj=req, user=student, rating=9)
    services.request_rate(
        request_obj=req, user=student, rating=4, comment="謝謝", now=at(2026, 12, 1, 14)
    )
    req.refresh_from_db()
    assert (req.rating, req.status, req.closed_at) == (4, "closed", at(2026, 12, 1, 14))
    with pytest.raises(ValidationError):
        services.request_rate(request_obj=req, user=student, rating=5)
    with pytest.raises(ValidationError):
        services.request_reply(request_obj=req, user=student, body="再問一次")


def test_assign_and_escalate_only_within_the_request(world) -> None:
    groups = office_groups(world)
    other_groups = office_groups(world, "B")
    req = make_request(world, "elem_teacher", now=NOW)
    principal = world.users["elem_admin"]
    with pytest.raises(ValidationError):  # a teacher does not handle requests
        services.request_assign(
            request_obj=req, user=principal, assignee=world.people["elem_teacher"]
        )
    services.request_assign(request_obj=req, user=principal, assignee=world.people["a_staff"])
    assert req.assignee == world.people["a_staff"]
    with pytest.raises(ValidationError):
        services.request_escalate(request_obj=req, user=principal, group=other_groups["teaching"])
    with pytest.raises(PermissionError):
        services.request_escalate(
            request_obj=req, user=world.users["b_admin"], group=groups["teaching"]
        )
    services.request_escalate(
        request_obj=req, user=principal, group=groups["teaching"], reason="教學問題"
    )
    req.refresh_from_db()
    assert req.escalated_to == groups["teaching"]
    assert req.messages.filter(event="escalated").get().detail["reason"] == "教學問題"


def test_who_sees_which_request(world) -> None:
    mine = make_request(world, "elem_student", now=NOW)
    parents = make_request(world, "elem_parent", now=NOW)
    b = make_request(world, "b_parent", now=NOW)

    def seen(name: str) -> set[int]:
        return {r.pk for r in HelpRequest.objects.visible_to(world.users[name])}

    assert seen("elem_student") == {mine.pk}
    assert seen("elem_parent") == {parents.pk}  # not their child's own request
    assert seen("elem_student2") == set()
    assert seen("elem_teacher") == set()  # teachers see only their own
    assert seen("elem_admin") == {mine.pk, parents.pk}
    assert seen("junior_admin") == set()
    assert seen("a_staff") == {mine.pk, parents.pk}
    assert seen("b_admin") == {b.pk}
    assert seen("outsider") == set()
    assert set(HelpRequest.objects.visible_to(world.users["elem_admin"], write=True)) == {
        mine,
        parents,
    }
    assert set(HelpRequest.objects.visible_to(world.users["elem_student"], write=True)) == set()


def test_waiting_for_the_requester_stops_the_clocks(world) -> None:
    req = make_request(world, "elem_student", now=NOW)  # platform: resolution due Thu 09:00
    assert req.resolution_due == at(2026, 12, 3, 9, 0)
    principal, student = world.users["elem_admin"], world.users["elem_student"]
    services.request_reply(
        request_obj=req,
        user=principal,
        body="請問是哪一台平板？",
        status="waiting",
        now=at(2026, 12, 1, 10),
    )
    req.refresh_from_db()
    assert req.status == "waiting" and req.waiting_since == at(2026, 12, 1, 10)
    # Thursday 10:00, past the original deadline, still waiting: not late, not breached
    assert services.sla_check(now=at(2026, 12, 3, 10))["resolution"] == 0
    req.refresh_from_db()
    assert req.resolution_breached_at is None
    from dtss.helpdesk.selectors import overdue_q

    assert not HelpRequest.objects.filter(overdue_q(at(2026, 12, 3, 10))).exists()
    # the student answers on Wednesday 10:00, nine working hours after the question: the
    # deadline moves by them, from Thursday 09:00 to Friday 09:00
    services.request_reply(request_obj=req, user=student, body="是 T-0001", now=at(2026, 12, 2, 10))
    req.refresh_from_db()
    assert req.status == "open" and req.waiting_since is None
    assert req.resolution_due == at(2026, 12, 4, 9, 0)
    assert services.sla_check(now=at(2026, 12, 3, 10))["resolution"] == 0
    assert services.sla_check(now=at(2026, 12, 4, 9, 30))["resolution"] == 1
