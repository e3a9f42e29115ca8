"""The home page's help-request section: a requester's open requests, a handler's counts."""

from __future__ import annotations

from dtss.helpdesk import services
from dtss.helpdesk.selectors import handled_requests, home_summary
from dtss.helpdesk.tests.factories import at, make_request

NOW = at(2026, 12, 1, 9, 0)


def test_home_summary_counts_only_what_the_user_handles(world) -> None:
    late = make_request(world, "elem_student", now=NOW)
    answered = make_request(world, "elem_parent", now=NOW)
    services.request_reply(
        request_obj=answered, user=world.users["elem_admin"], body="好", now=at(2026, 12, 1, 9, 30)
    )
    make_request(world, "b_parent", now=NOW)
    later = at(2026, 12, 1, 14, 0)  # past the first-response target of `late`
    principal = home_summary(user=world.users["elem_admin"], now=later)
    assert principal["queue"] == {"open": 2, "overdue": 1, "unassigned": 2, "mine": 0}
    assert home_summary(user=world.users["a_staff"], now=later)["queue"]["open"] == 2
    assert home_summary(user=world.users["b_admin"], now=later)["queue"]["open"] == 1
    assert "queue" not in home_summary(user=world.users["elem_teacher"], now=later)
    assert home_summary(user=world.users["elem_student"], now=later)["mine"] == [late]
    assert home_summary(user=world.users["elem_student2"], now=later)["mine"] == []
    assert set(handled_requests(user=world.users["a_staff"])) == {late, answered}
    assert list(handled_requests(user=world.users["moe"])) == []
    assert list(handled_requests(user=world.users["elem_student"])) == []


def test_the_home_page_shows_the_section(world) -> None:
    req = make_request(world, "elem_student", subject="酷英網密碼忘了")
    student = world.client("elem_student").get("/").content.decode()
    assert "酷英網密碼忘了" in student and str(req.public_id) in student
    principal = world.client("elem_admin").get("/").content.decode()
    assert "data-helpdesk-queue" in principal
    for other in ("junior_admin", "b_admin", "elem_student2", "elem_teacher"):
        page = world.client(other).get("/").content.decode()
        assert "酷英網密碼忘了" not in page and "data-helpdesk-queue" not in page, other


def test_a_handlers_read_of_a_request_is_audited(world) -> None:
    from dtss.core.models import AuditEntry

    req = make_request(world, "elem_student")
    world.client("elem_student").get(f"/helpdesk/r/{req.public_id}/")
    assert not AuditEntry.objects.filter(action="helpdesk.request.read").exists()
    world.client("elem_admin").get(f"/helpdesk/r/{req.public_id}/")
    entry = AuditEntry.objects.get(action="helpdesk.request.read")
    assert (entry.actor, entry.object_id) == (world.users["elem_admin"], str(req.public_id))


def test_the_ask_for_help_link_is_for_people_who_belong_somewhere(world) -> None:
    for name in ("elem_student", "elem_parent", "elem_teacher", "a_staff"):
        assert 'class="helplink"' in world.client(name).get("/").content.decode(), name
    for name in ("moe", "outsider"):  # nobody to ask: no link, and the form is refused
        assert 'class="helplink"' not in world.client(name).get("/").content.decode(), name
        assert world.client(name).get("/helpdesk/new/").status_code == 403, name


def test_a_parent_reports_the_borrowed_tablet_from_the_family_page(world) -> None:
    """Scenario 6: the family page links each device in use to the request form, which then
    knows the device; the request reaches the school with it."""
    from dtss.devices import loan_services
    from dtss.devices.tests.factories import make_device
    from dtss.helpdesk.models import HelpRequest

    tablet = make_device(world)
    loan_services.assignment_create(
        device=tablet, person=world.people["elem_student"], actor=world.users["elem_admin"]
    )
    other = make_device(world)  # a device of the school the family does not hold
    parent = world.client("elem_parent")
    page = parent.get("/devices/loans/mine/").content.decode()
    assert f'data-report="{tablet.public_id}"' in page
    assert f'data-report="{other.public_id}"' not in page
    form = parent.get(f"/helpdesk/new/?device={tablet.public_id}&from=/devices/loans/mine/")
    assert form.status_code == 200
    html = form.content.decode()
    assert f'value="{tablet.public_id}" selected' in html and other.asset_tag not in html
    # a device the family does not hold cannot be named, even by its id
    sneaky = parent.get(f"/helpdesk/new/?device={other.public_id}").content.decode()
    assert other.asset_tag not in sneaky
    response = parent.post(
        "/helpdesk/new/",
        {
            "category": "device",
            "subject": "借用的平板無法充電",
            "description": "插上充電器沒有反應。",
            "device": str(tablet.public_id),
            "page_url": "/devices/loans/mine/",
        },
    )
    assert response.status_code == 302
    req = HelpRequest.objects.get()
    assert (req.device, req.school, req.page_url) == (
        tablet,
        world.schools["A-elem"],
        "/devices/loans/mine/",
    )
