"""The tenancy rule at the model level, for every tenant-owned model that exists.

For each model with a `visible_to` queryset and each role in the `world` fixture, every row the
user sees must lie inside their scope, and the rows of their own scope must be there. A new
tenant model fails `test_every_tenant_model_is_covered` until it is added to OWNERSHIP below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from dtss.conftest import World
from dtss.core.models import TenantQuerySet
from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.orgs import services as org_services

# model label -> function(row) -> (county_id, school_id or None, person ids the row is about)
OWNERSHIP: dict[str, Callable[[Any], tuple[int | None, int | None, set[int]]]] = {
    "orgs.county": lambda r: (r.pk, None, set()),
    "orgs.district": lambda r: (r.county_id, None, set()),
    "orgs.school": lambda r: (r.county_id, r.pk, set()),
    "orgs.person": lambda r: (r.county_id, None, {r.pk}),
    "orgs.membership": lambda r: (r.county_id, r.school_id, {r.person_id}),
    "orgs.schoolclass": lambda r: (
        r.county_id,
        r.school_id,
        set(r.enrollments.values_list("student_id", flat=True)),
    ),
    "orgs.enrollment": lambda r: (r.county_id, r.school_id, {r.student_id}),
    "orgs.guardianship": lambda r: (r.county_id, None, {r.parent_id, r.child_id}),
    "orgs.promotionoffice": lambda r: (r.county_id, None, set()),
    "orgs.officegroup": lambda r: (r.county_id, None, set()),
    "orgs.workplan": lambda r: (r.county_id, None, set()),
    "orgs.officetask": lambda r: (r.county_id, None, set()),
    "core.auditentry": lambda r: (r.county_id, r.school_id, set()),
    "imports.importjob": lambda r: (r.county_id, r.school_id, set()),
    "framework.cycle": lambda r: (r.county_id, None, set()),
    "framework.assessment": lambda r: (r.county_id, r.school_id, set()),
    "framework.response": lambda r: (r.county_id, r.school_id, set()),
    "framework.evidence": lambda r: (r.county_id, r.school_id, set()),
    "framework.assessmentevent": lambda r: (r.county_id, r.school_id, set()),
    "framework.plan": lambda r: (r.county_id, r.school_id, set()),
    "framework.goal": lambda r: (r.county_id, r.school_id, set()),
    "framework.action": lambda r: (r.county_id, r.school_id, set()),
    "framework.case": lambda r: (r.county_id, r.school_id, set()),
    "framework.indicatorvalue": lambda r: (r.county_id, r.school_id, set()),
    "surveys.bankquestion": lambda r: (r.county_id, r.school_id, set()),
    "surveys.questionnaire": lambda r: (r.county_id, r.school_id, set()),
    "surveys.run": lambda r: (r.county_id, r.school_id, set()),
    "surveys.accesscode": lambda r: (r.county_id, r.school_id, set()),
    "surveys.invitation": lambda r: (r.county_id, r.school_id, {r.person_id}),
    "surveys.submission": lambda r: (r.county_id, r.school_id, set()),
    "lrs.credential": lambda r: (r.county_id, None, set()),
    "lrs.statement": lambda r: (r.store or None, None, set()),  # store 0: national, MOE only
    "analytics.platform": lambda r: (r.county_id, None, set()),
    "analytics.filemapping": lambda r: (r.county_id, None, set()),
    "analytics.mappingimport": lambda r: (r.county_id, None, set()),
    "analytics.actorlink": lambda r: (r.county_id, None, set()),
    "analytics.learnergroup": lambda r: (r.county_id, None, set()),
    "analytics.studentday": lambda r: (r.county_id, r.school_id, set()),
    "analytics.studentweek": lambda r: (r.county_id, r.school_id, set()),
    "analytics.schoolweek": lambda r: (r.county_id, r.school_id, set()),
    "analytics.schoolweekpart": lambda r: (r.county_id, r.school_id, set()),
    "predict.modelversion": lambda r: (r.county_id, None, set()),
    "predict.riskscore": lambda r: (r.county_id, r.school_id, set()),
    "predict.intervention": lambda r: (r.county_id, r.school_id, set()),
    "predict.patternrun": lambda r: (r.county_id, None, set()),
    "predict.studentpattern": lambda r: (r.county_id, r.school_id, set()),
    "devices.device": lambda r: (
        r.county_id,
        r.school_id,
        ({r.holder_id} | ({r.owner_id} if r.byod else set())) - {None},
    ),
    "devices.deviceevent": lambda r: (r.county_id, r.school_id, set()),
    "devices.assignment": lambda r: (r.county_id, r.school_id, {r.person_id}),
    "devices.licence": lambda r: (r.county_id, r.school_id, set()),
    "devices.licenceseat": lambda r: (r.county_id, r.school_id, set()),
    "devices.studentsupport": lambda r: (r.county_id, r.school_id, set()),
    "devices.loanrequest": lambda r: (r.county_id, r.school_id, {r.student_id}),
    "devices.needscollection": lambda r: (r.county_id, None, set()),
    "devices.needsubmission": lambda r: (r.county_id, r.school_id, set()),
    "devices.needline": lambda r: (r.county_id, r.school_id, set()),
    "devices.procurementplan": lambda r: (r.county_id, None, set()),
    "devices.procurementline": lambda r: (r.county_id, None, set()),
    "devices.procurementallocation": lambda r: (r.county_id, r.school_id, set()),
    "devices.deviceimport": lambda r: (r.county_id, r.school_id, set()),
    "devices.stocktake": lambda r: (r.county_id, r.school_id, set()),
    "devices.stocktakescan": lambda r: (r.county_id, r.school_id, set()),
    "helpdesk.helpdesksettings": lambda r: (r.county_id, None, set()),
    "helpdesk.calendarday": lambda r: (r.county_id, r.school_id, set()),
    "helpdesk.servicetarget": lambda r: (r.county_id, None, set()),
    "helpdesk.helprequest": lambda r: (r.county_id, r.school_id, {r.requester_id}),
    "helpdesk.requestmessage": lambda r: (r.county_id, r.school_id, {r.request.requester_id}),
    "helpdesk.requestattachment": lambda r: (r.county_id, r.school_id, {r.request.requester_id}),
    "helpdesk.cannedreply": lambda r: (r.county_id, r.school_id, set()),
    "helpdesk.article": lambda r: (r.county_id, r.school_id, set()),
    "helpdesk.articlemedia": lambda r: (r.county_id, r.school_id, set()),
    "helpdesk.thread": lambda r: (r.county_id, None, set()),
    "helpdesk.post": lambda r: (r.county_id, None, set()),
    "homeschool.homeschoolsettings": lambda r: (r.county_id, r.school_id, set()),
    "homeschool.leavetype": lambda r: (r.county_id, r.school_id, set()),
    "homeschool.period": lambda r: (r.county_id, r.school_id, set()),
    "homeschool.timetableslot": lambda r: (r.county_id, r.school_id, _class_students(r)),
    "homeschool.contactentry": lambda r: (r.county_id, r.school_id, _class_students(r)),
    "homeschool.contactattachment": lambda r: (r.county_id, r.school_id, _class_students(r)),
    "homeschool.contactsignature": lambda r: (r.county_id, r.school_id, {r.student_id}),
    "homeschool.leaverequest": lambda r: (
        r.county_id,
        r.school_id,
        {r.student_id, r.requested_by_id},
    ),
    "homeschool.leaveattachment": lambda r: (
        r.county_id,
        r.school_id,
        {r.student_id, r.leave.requested_by_id},
    ),
    "homeschool.attendancerecord": lambda r: (r.county_id, r.school_id, {r.student_id}),
    "homeschool.announcement": lambda r: (r.county_id, r.school_id, set()),
    "homeschool.announcementread": lambda r: (r.county_id, r.school_id, {r.person_id}),
    "homeschool.conversation": lambda r: (r.county_id, r.school_id, {r.teacher_id, r.parent_id}),
    "homeschool.message": lambda r: (
        r.county_id,
        r.school_id,
        {r.conversation.teacher_id, r.conversation.parent_id},
    ),
    "homeschool.notificationpreference": lambda r: (r.county_id, None, {r.person_id}),
    "homeschool.notification": lambda r: (r.county_id, r.school_id, {r.recipient_id}),
}

# Rows about one student or one person's inbox that the county's office does not read row by
# row (its reports count them): leave, attendance, contact-book signatures and replies,
# teacher–parent messages, notifications and their settings.
COUNTY_OFFICE_BLIND = {
    "homeschool.contactsignature",
    "homeschool.leaverequest",
    "homeschool.leaveattachment",
    "homeschool.attendancerecord",
    "homeschool.conversation",
    "homeschool.message",
    "homeschool.notificationpreference",
    "homeschool.notification",
}


def _class_students(row: Any) -> set[int]:
    return set(row.school_class.enrollments.values_list("student_id", flat=True))


USERS = [
    "a_admin",
    "a_staff",
    "b_admin",
    "elem_admin",
    "junior_admin",
    "elem_teacher",
    "junior_teacher",
    "b_teacher",
    "elem_student",
    "b_student",
    "elem_parent",
    "b_parent",
    "outsider",
]


def tenant_models() -> list[Any]:
    return [
        m
        for m in apps.get_models()
        if hasattr(m, "objects") and isinstance(m.objects.all(), TenantQuerySet)
    ]


def test_every_tenant_model_is_covered() -> None:
    labels = {m._meta.label_lower for m in tenant_models()}
    assert labels - set(OWNERSHIP) == set(), "add these models to OWNERSHIP"
    assert set(OWNERSHIP) - labels == set(), "these are no longer tenant models"


@pytest.fixture
def full_world(world: World) -> World:
    """The world plus one row of every remaining tenant model in each county."""
    for key in ("A", "B"):
        county = world.counties[key]
        office = org_services.office_create(county=county, name=f"{county.name_zh}辦公室")
        group = org_services.office_group_create(office=office, kind="equipment", name="資訊設備組")
        plan = org_services.work_plan_create(office=office, roc_year=115, title="計畫")
        org_services.office_task_create(plan=plan, title="盤點", group=group)
    for school in world.schools.values():
        audit_record(actor=None, action="test.entry", obj=school)
    from dtss.lrs.credential_services import credential_create
    from dtss.lrs.statement_services import statements_store

    for county in (world.counties["A"], world.counties["B"], None):  # None: the national store
        credential = credential_create(name=f"platform {county}", county=county).credential
        statements_store(
            store=county.pk if county else 0,
            credential_id=credential.pk,
            authority=credential.authority,
            statements=[
                {
                    "actor": {"mbox": "mailto:pupil@example.org"},
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                    "object": {"id": "https://example.org/activity"},
                }
            ],
            version="1.0.3",
        )
    from datetime import date

    from dtss.framework.services import (
        cycle_open,
        evidence_add,
        indicators_record,
        response_update,
    )

    for key in ("A", "B"):
        county = world.counties[key]
        schools = [s for s in world.schools.values() if s.county_id == county.pk]
        cycle = cycle_open(
            county=county,
            name="114-1",
            opens_on=date(2025, 9, 1),
            deadline=date(2025, 12, 31),
            schools=schools,
        )
        for assessment in cycle.assessments.all():
            response = assessment.responses.first()
            response_update(response=response, actor=None, status="planned")
            evidence_add(response=response, actor=None, kind="text", text="紀錄")
            indicators_record(assessment=assessment)
    from dtss.framework.models import Evidence
    from dtss.framework.plan_services import action_create, case_publish, goal_create, plan_create

    # One plan (with a goal and an action) and one published case per county.
    for key, school_key, admin in (("A", "A-elem", "a_admin"), ("B", "B-elem", "b_admin")):
        county, school, actor = world.counties[key], world.schools[school_key], world.users[admin]
        plan = plan_create(county=county, school=school, title="計畫", actor=actor)
        goal = goal_create(plan=plan, title="目標", actor=actor)
        action_create(goal=goal, title="行動", actor=actor)
        evidence = Evidence.objects.filter(school=school, kind="text").first()
        case_publish(evidence=evidence, title="案例", summary="摘要", actor=actor)
    # Surveys: per county a bank question of the county and of a school, an anonymous run
    # answered once with a code, and a named run inviting the school's teachers.
    from dtss.surveys import services as surveys

    for key, school_key, admin in (("A", "A-elem", "a_admin"), ("B", "B-elem", "b_admin")):
        county, school, actor = world.counties[key], world.schools[school_key], world.users[admin]
        for owner in (None, school):
            surveys.bank_question_create(
                actor=actor,
                county=county,
                school=owner,
                group="teachers",
                kind="scale5",
                text_zh="自訂題",
            )
        qn = surveys.questionnaire_create(
            actor=actor, county=county, school=school, title_zh="問卷", group="teachers"
        )
        surveys.question_create(section=qn.sections.get(), actor=actor, kind="scale5", text_zh="題")
        now = timezone.now()
        for mode in ("anonymous", "named"):
            run = surveys.run_create(
                actor=actor,
                county=county,
                school=school,
                title=mode,
                mode=mode,
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=7),
                parts={"teachers": qn},
            )
            surveys.run_open(run=run, actor=actor)
            if mode == "anonymous":
                code = surveys.codes_generate(run=run, actor=actor, group="teachers", count=2)[0]
                surveys.submission_anonymous(code=code.code, answers={"Q1": 4})
    # Learning analytics: per county a platform with a file mapping and an import, a learner
    # group, and one student's record rolled up into every rollup table.
    from dtss.analytics.group_services import learner_group_add
    from dtss.analytics.models import MappingImport
    from dtss.analytics.platform_services import mapping_create, platform_create
    from dtss.analytics.rollups import rollup_process

    for key, student, admin in (("A", "elem_student", "a_admin"), ("B", "b_student", "b_admin")):
        county, actor = world.counties[key], world.users[admin]
        platform = platform_create(actor=actor, county=county, name="因材網", kind="adl")
        mapping = mapping_create(
            actor=actor,
            platform=platform,
            name="匯出",
            spec={
                "actor_column": "帳號",
                "verb": "experienced",
                "activity_column": "活動",
                "timestamp_column": "時間",
            },
        )
        MappingImport.objects.create(
            county=county, platform=platform, mapping=mapping, filename="a.csv", content=b"x"
        )
        learner_group_add(
            actor=actor,
            county=county,
            person=world.people[student],
            kind="low_income",
            start_date=date(2025, 8, 1),
        )
        statements_store(
            store=county.pk,
            credential_id=None,
            authority={"account": {"homePage": "https://dtss.tw", "name": "test"}},
            statements=[
                {
                    "actor": {"account": {"homePage": "https://adl.edu.tw", "name": student}},
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                    "object": {"id": "https://adl.edu.tw/xapi/activities/math/video/1"},
                    "result": {"duration": "PT600S", "completion": True},
                    "timestamp": "2025-10-06T09:30:00+08:00",
                }
            ],
            version="1.0.3",
        )
        rollup_process(county_id=county.pk, margin_ms=0)
    from dtss.analytics.models import SchoolWeekPart, StudentDay

    assert StudentDay.objects.exclude(person=None).count() == SchoolWeekPart.objects.count() == 2
    # Prediction: per county a model version with a score, an intervention and a pattern run
    # with one student's pattern (the student of the county's elementary class).
    from dtss.predict.models import (
        Intervention,
        ModelVersion,
        PatternRun,
        RiskScore,
        StudentPattern,
    )

    for key, student, class_key in (
        ("A", "elem_student", "A-elem 5-1"),
        ("B", "b_student", "B-elem 3-2"),
    ):
        county, school_class = world.counties[key], world.classes[class_key]
        person = world.people[student]
        tenant = {"county": county, "school_id": school_class.school_id}
        version = ModelVersion.objects.create(
            county=county, stage="elementary", number=1, artifact=b"", sha256="0" * 64
        )
        RiskScore.objects.create(
            **tenant,
            school_class=school_class,
            person=person,
            version=version,
            as_of=date(2025, 10, 6),
            probability=0.5,
            band="medium",
        )
        Intervention.objects.create(
            **tenant, school_class=school_class, person=person, date=date(2025, 10, 7), kind="talk"
        )
        run = PatternRun.objects.create(
            county=county,
            stage="elementary",
            first_week=date(2025, 9, 1),
            last_week=date(2025, 10, 20),
        )
        StudentPattern.objects.create(
            **tenant, school_class=school_class, person=person, run=run, pattern="steady"
        )
    _devices_rows(world)
    _helpdesk_rows(world)
    _homeschool_rows(world)
    return world


def _devices_rows(world: World) -> None:
    """Devices: per county a device at the elementary school lent to its student (awaiting the
    agreement), one held by the student (assigned) and a BYOD one, a licence with a seat, the
    student's support record and loan request, a draft and an open needs collection with the
    school's submission and line, an approved plan with a line and an allocation, an import
    and a stocktake with a scan."""
    from django.core.files.base import ContentFile

    from dtss.devices import loan_services, services
    from dtss.devices.models import (
        DeviceImport,
        Licence,
        LicenceSeat,
        LoanRequest,
        NeedLine,
        NeedsCollection,
        NeedSubmission,
        ProcurementAllocation,
        ProcurementLine,
        ProcurementPlan,
        Stocktake,
        StocktakeScan,
        StudentSupport,
    )

    for key, school_key, student, admin in (
        ("A", "A-elem", "elem_student", "a_admin"),
        ("B", "B-elem", "b_student", "b_admin"),
    ):
        county, school = world.counties[key], world.schools[school_key]
        person, actor = world.people[student], world.users[admin]
        tenant = {"county": county, "school": school}
        today = timezone.localdate()
        lent = services.device_create(
            county=county, school=school, kind="tablet", asset_tag=f"{key}-1", actor=actor
        )
        loan_services.loan_create(
            device=lent, student=person, due_on=today + timedelta(days=90), actor=actor
        )
        held = services.device_create(
            county=county, school=school, kind="tablet", asset_tag=f"{key}-2", actor=actor
        )
        loan_services.assignment_create(device=held, person=person, actor=actor)
        own = services.device_create(
            county=county, school=school, kind="laptop", asset_tag=f"{key}-3", actor=actor
        )
        own.byod, own.owner = True, person
        own.save()
        licence = Licence.objects.create(**tenant, name="授權", seats=5)
        LicenceSeat.objects.create(**tenant, licence=licence, device=held)
        StudentSupport.objects.create(**tenant, student=person, low_income=True)
        LoanRequest.objects.create(**tenant, student=person, need="device")
        NeedsCollection.objects.create(
            county=county, title="草稿", opens_on=today, closes_on=today, status="draft"
        )
        collection = NeedsCollection.objects.create(
            county=county, title="需求", opens_on=today, closes_on=today, status="open"
        )
        submission = NeedSubmission.objects.create(**tenant, collection=collection)
        NeedLine.objects.create(
            **tenant, submission=submission, kind="tablet", quantity=3, justification="不足"
        )
        plan = ProcurementPlan.objects.create(
            county=county, collection=collection, title="採購", status="approved"
        )
        line = ProcurementLine.objects.create(
            county=county,
            plan=plan,
            kind="tablet",
            quantity=3,
            unit_cost=10000,
            funding_source="central",
        )
        ProcurementAllocation.objects.create(**tenant, line=line, quantity=3)
        DeviceImport.objects.create(
            **tenant, source="register", file=ContentFile(b"x", name="r.csv"), filename="r.csv"
        )
        stocktake = Stocktake.objects.create(**tenant, title="盤點")
        StocktakeScan.objects.create(
            **tenant, stocktake=stocktake, code=held.asset_tag, device=held, result="found"
        )


def _helpdesk_rows(world: World) -> None:
    """Helpdesk: per county the settings, a county and a school calendar day, a target, the
    student's request with a reply, an internal note and an attachment, a county and a school
    canned reply, a published county article with a video and a school's draft, and a thread
    with a post."""
    from django.core.files.base import ContentFile

    from dtss.helpdesk import services
    from dtss.helpdesk.models import (
        Article,
        ArticleMedia,
        CalendarDay,
        CannedReply,
        HelpdeskSettings,
        Post,
        RequestAttachment,
        ServiceTarget,
        Thread,
    )

    for key, school_key, student, admin in (
        ("A", "A-elem", "elem_student", "elem_admin"),
        ("B", "B-elem", "b_student", "b_admin"),
    ):
        county, school = world.counties[key], world.schools[school_key]
        now = timezone.now()
        HelpdeskSettings.objects.create(county=county)
        CalendarDay.objects.create(county=county, date=timezone.localdate(), name="颱風假")
        CalendarDay.objects.create(
            county=county, school=school, date=timezone.localdate(), name="校慶"
        )
        ServiceTarget.objects.create(
            county=county, category="device", first_response_minutes=60, resolution_minutes=600
        )
        req = services.request_create(
            user=world.users[student], category="platform", subject="登入", description="無法登入"
        )
        services.request_reply(request_obj=req, user=world.users[admin], body="請重試")
        services.request_reply(request_obj=req, user=world.users[admin], body="內部", internal=True)
        RequestAttachment.objects.create(
            county=county,
            school=school,
            request=req,
            file=ContentFile(b"x", name="a.png"),
            name="a.png",
        )
        CannedReply.objects.create(county=county, title="重開機", body="請重開機")
        CannedReply.objects.create(county=county, school=school, title="本校", body="找資訊組")
        article = Article.objects.create(
            county=county, title_zh="登入", body_zh="說明", status="published", published_at=now
        )
        ArticleMedia.objects.create(
            county=county,
            article=article,
            kind="video",
            file=ContentFile(b"v", name="v.mp4"),
            name="v.mp4",
        )
        Article.objects.create(county=county, school=school, title_zh="草稿", body_zh="草稿")
        thread = Thread.objects.create(
            county=county, topic="device", title="平板", last_post_at=now, post_count=1
        )
        Post.objects.create(county=county, thread=thread, body="大家好")


def _homeschool_rows(world: World) -> None:
    """Homeschool: per county a school's settings, leave types and periods, a timetable slot,
    a published contact-book entry with a file and the parent's signature, approved leave with
    a file and its attendance records, announcements (the county's to parents, the school's to
    staff, a class's draft) with a read receipt, a teacher–parent conversation with a message,
    a notification and the parent's settings."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from dtss.homeschool import services
    from dtss.homeschool.models import (
        Announcement,
        AnnouncementRead,
        ContactAttachment,
        ContactEntry,
        ContactSignature,
        Conversation,
        HomeschoolSettings,
        LeaveAttachment,
        LeaveType,
        Message,
        Period,
        TimetableSlot,
    )

    monday = dt.date(2026, 11, 23)
    for key, school_key, class_key, teacher, student, parent in (
        ("A", "A-elem", "A-elem 5-1", "elem_teacher", "elem_student", "elem_parent"),
        ("B", "B-elem", "B-elem 3-2", "b_teacher", "b_student", "b_parent"),
    ):
        county, school = world.counties[key], world.schools[school_key]
        klass = world.classes[class_key]
        now = timezone.now()
        HomeschoolSettings.objects.create(county=county, school=school)
        services.school_setup_ensure(school=school)
        p1 = Period.objects.get(school=school, code="p1")
        TimetableSlot.objects.create(
            county=county,
            school=school,
            school_class=klass,
            weekday=1,
            period=p1,
            subject="國語",
            teacher=world.people[teacher],
        )
        entry = ContactEntry.objects.create(
            county=county,
            school=school,
            school_class=klass,
            date=monday,
            homework="習作",
            published_at=now,
        )
        ContactAttachment.objects.create(
            county=county,
            school=school,
            school_class=klass,
            entry=entry,
            file=ContentFile(b"x", name="a.pdf"),
            name="a.pdf",
        )
        ContactSignature.objects.create(
            county=county,
            school=school,
            school_class=klass,
            entry=entry,
            student=world.people[student],
            signed_by=world.people[parent],
            signed_at=now,
        )
        leave = services.leave_request_create(
            user=world.users[parent],
            student=world.people[student],
            leave_type=LeaveType.objects.get(school=school, code="sick"),
            start_date=monday,
            end_date=monday,
            periods=[p1],
            reason="發燒",
        )
        LeaveAttachment.objects.create(
            county=county,
            school=school,
            school_class=klass,
            student=world.people[student],
            leave=leave,
            file=ContentFile(b"x", name="note.pdf"),
            name="note.pdf",
        )
        services.leave_decide(user=world.users[teacher], leave=leave, approve=True)
        to_parents = Announcement.objects.create(
            county=county, title="停課通知", body="颱風", to_parents=True, published_at=now
        )
        Announcement.objects.create(
            county=county,
            school=school,
            title="校務會議",
            body="週三",
            to_staff=True,
            published_at=now,
        )
        Announcement.objects.create(
            county=county,
            school=school,
            school_class=klass,
            title="草稿",
            body="草稿",
            to_parents=True,
        )
        AnnouncementRead.objects.create(
            county=county, announcement=to_parents, person=world.people[parent], read_at=now
        )
        talk = Conversation.objects.create(
            county=county,
            school=school,
            teacher=world.people[teacher],
            parent=world.people[parent],
            student=world.people[student],
            last_message_at=now,
        )
        Message.objects.create(
            county=county,
            school=school,
            conversation=talk,
            sender=world.people[parent],
            body="老師好",
            sent_at=now,
        )
        services.preference_save(
            user=world.users[parent],
            email=True,
            quiet_enabled=True,
            quiet_start=dt.time(22, 0),
            quiet_end=dt.time(7, 0),
        )


def _inside(scope: Any, world: World, owner: tuple[int | None, int | None, set[int]]) -> bool:
    county_id, school_id, persons = owner
    own_people = set(scope.child_ids) | ({scope.person_id} if scope.person_id else set())
    if county_id in scope.county_ids:
        return True
    if school_id is not None and school_id in scope.staff_school_ids:
        return True
    return bool(persons & own_people)


@pytest.mark.parametrize("label", sorted(OWNERSHIP))
def test_rows_seen_lie_inside_the_scope(full_world: World, label: str) -> None:
    """Per model, one world (building it is the costly part) and every check on it: what each
    user reads, what the county administrator reads and writes, and who may not write."""
    for user in USERS:
        _rows_seen_lie_inside_the_scope(full_world, user, label)
    _county_admin_sees_all_of_own_county_and_writes_it(full_world, label)
    _teachers_students_parents_and_moe_cannot_write(full_world, label)


def _rows_seen_lie_inside_the_scope(full_world: World, user: str, label: str) -> None:
    model = apps.get_model(label)
    u = full_world.users[user]
    scope = scope_for(u)
    owner = OWNERSHIP[label]
    seen = list(model.objects.visible_to(u))
    for row in seen:
        county_id, school_id, persons = owner(row)
        if label in {"orgs.county", "orgs.district", "orgs.school"}:
            # Students and parents see the county, district and school they belong to.
            mine = scope.staff_school_ids | scope.student_school_ids | scope.parent_school_ids
            schools = apps.get_model("orgs.School").objects.filter(pk__in=mine)
            allowed = (
                county_id in scope.county_ids
                or (label == "orgs.county" and schools.filter(county_id=row.pk).exists())
                or (label == "orgs.district" and schools.filter(district_id=row.pk).exists())
                or (label == "orgs.school" and row.pk in mine)
            )
            assert allowed, f"{user} sees {label} {row}"
        elif label == "orgs.person":
            staff_schools = scope.staff_school_ids
            at = set(row.memberships.values_list("school_id", flat=True))
            allowed = (
                row.county_id in scope.county_ids
                or bool(at & staff_schools)
                or set(row.memberships.values_list("county_id", flat=True)) & scope.county_ids
                or _inside(scope, full_world, (None, None, persons))
            )
            assert allowed, f"{user} sees person {row}"
        elif label == "surveys.bankquestion":
            staff_counties = set(
                apps.get_model("orgs.School")
                .objects.filter(pk__in=scope.staff_school_ids)
                .values_list("county_id", flat=True)
            )
            allowed = (
                county_id is None  # built in: read by everyone signed in
                or county_id in scope.county_ids
                or school_id in scope.staff_school_ids
                or (school_id is None and county_id in staff_counties)
            )
            assert allowed, f"{user} sees bank question {row}"
        elif label == "framework.case":
            assert scope.is_staff_level, f"{user} sees case {row}"
        elif label == "framework.cycle":
            schools = set(row.assessments.values_list("school_id", flat=True))
            allowed = county_id in scope.county_ids or bool(schools & scope.staff_school_ids)
            assert allowed, f"{user} sees cycle {row}"
        elif label in {"devices.needscollection", "devices.procurementplan"}:
            # a school's administrators read their county's open and closed collections, and
            # the approved plans that allocate to their school
            admin_counties = set(
                apps.get_model("orgs.School")
                .objects.filter(pk__in=scope.admin_school_ids)
                .values_list("county_id", flat=True)
            )
            allowed = county_id in scope.county_ids or (
                row.status != "draft" and county_id in admin_counties
            )
            assert allowed, f"{user} sees {label} {row}"
        elif label == "devices.studentsupport":
            # a student's support categories: the school's administrators and the county office
            allowed = county_id in scope.county_ids or school_id in scope.admin_school_ids
            assert allowed, f"{user} sees {label} {row}"
        elif label in {"helpdesk.article", "helpdesk.articlemedia"}:
            # published articles are read by everyone of the county (a school's additions by
            # the school's people); drafts only by their editors
            article = row if label == "helpdesk.article" else row.article
            mine = scope.staff_school_ids | scope.student_school_ids | scope.parent_school_ids
            my_counties = set(
                apps.get_model("orgs.School")
                .objects.filter(pk__in=mine)
                .values_list("county_id", flat=True)
            )
            allowed = (
                county_id in scope.county_ids
                or school_id in scope.admin_school_ids
                or (
                    article.status == "published"
                    and (school_id in mine or (school_id is None and county_id in my_counties))
                )
            )
            assert allowed, f"{user} sees {label} {row}"
        elif label in {"helpdesk.thread", "helpdesk.post", "helpdesk.cannedreply"}:
            # the county's community: its office and the administrators of its schools
            admin_counties = set(
                apps.get_model("orgs.School")
                .objects.filter(pk__in=scope.admin_school_ids)
                .values_list("county_id", flat=True)
            )
            allowed = county_id in scope.county_ids or (
                county_id in admin_counties
                and (
                    label != "helpdesk.cannedreply" or school_id in {None, *scope.admin_school_ids}
                )
            )
            assert allowed, f"{user} sees {label} {row}"
        elif label in {
            "helpdesk.helprequest",
            "helpdesk.requestmessage",
            "helpdesk.requestattachment",
        }:
            # the county's office, the school's administrators and the requester (never a
            # teacher of the school, who sees only their own requests)
            allowed = (
                county_id in scope.county_ids
                or school_id in scope.admin_school_ids
                or scope.person_id in persons
            )
            assert allowed, f"{user} sees {label} {row}"
            if scope.person_id in persons and label == "helpdesk.requestmessage":
                assert (
                    row.kind != "note"
                    or county_id in scope.county_ids
                    or (school_id in scope.admin_school_ids)
                ), f"{user} sees an internal note"
        elif label in {
            "homeschool.homeschoolsettings",
            "homeschool.leavetype",
            "homeschool.period",
        }:
            # a school's rules for leave are read by its staff, students and parents
            mine = scope.staff_school_ids | scope.student_school_ids | scope.parent_school_ids
            assert county_id in scope.county_ids or school_id in mine, f"{user} sees {label}"
        elif label == "homeschool.announcement":
            # the owner's office or school; published ones by the audience where they belong
            family = scope.student_school_ids | scope.parent_school_ids
            family_counties = set(
                apps.get_model("orgs.School")
                .objects.filter(pk__in=family | scope.staff_school_ids)
                .values_list("county_id", flat=True)
            )
            allowed = (
                county_id in scope.county_ids
                or school_id in scope.staff_school_ids
                or (
                    row.published_at is not None
                    and (
                        school_id in family or (school_id is None and county_id in family_counties)
                    )
                )
            )
            assert allowed, f"{user} sees {label} {row}"
        elif label in COUNTY_OFFICE_BLIND:
            # the school's administrators, the people it is about (teachers of the school
            # read attendance); never the county's office
            allowed = school_id in scope.staff_school_ids or _inside(
                scope, full_world, (None, None, persons)
            )
            assert allowed, f"{user} sees {label} {row}"
        elif label == "orgs.guardianship":
            child_schools = set(row.child.memberships.values_list("school_id", flat=True))
            allowed = (
                county_id in scope.county_ids
                or bool(child_schools & scope.staff_school_ids)
                or scope.person_id in (row.parent_id, row.child_id)
            )
            assert allowed, f"{user} sees guardianship {row}"
        else:
            assert _inside(scope, full_world, (county_id, school_id, persons)), (
                f"{user} sees {label} {row}"
            )
    # Nobody outside county A ever sees a row owned by county A's schools, and vice versa.
    if label not in {"orgs.county", "orgs.person", "framework.case"}:
        foreign = [
            r
            for r in seen
            if owner(r)[0] is not None
            and owner(r)[0] not in {c.pk for c in _counties_of(full_world, user)}
        ]
        assert not foreign, f"{user} sees another county's {label}: {foreign[:3]}"


def _counties_of(world: World, user: str) -> list[Any]:
    if user.startswith("b_"):
        return [world.counties["B"]]
    if user == "outsider":
        return []
    return [world.counties["A"]]


def _county_admin_sees_all_of_own_county_and_writes_it(full_world: World, label: str) -> None:
    model = apps.get_model(label)
    admin = full_world.users["a_admin"]
    a = full_world.counties["A"].pk
    owner = OWNERSHIP[label]
    own_rows = [r for r in model.objects.all() if owner(r)[0] == a]
    visible = set(model.objects.visible_to(admin).values_list("pk", flat=True))
    if label in COUNTY_OFFICE_BLIND:
        assert own_rows and not visible, label
        assert not model.objects.visible_to(admin, write=True).exists(), label
        return
    assert {r.pk for r in own_rows} <= visible
    if label not in {"orgs.county"}:
        writable = set(model.objects.visible_to(admin, write=True).values_list("pk", flat=True))
        assert {r.pk for r in own_rows} <= writable
        b_rows = {r.pk for r in model.objects.all() if owner(r)[0] == full_world.counties["B"].pk}
        assert not (writable & b_rows)


def _teachers_students_parents_and_moe_cannot_write(full_world: World, label: str) -> None:
    model = apps.get_model(label)
    for user in ("elem_teacher", "elem_student", "elem_parent", "moe", "a_staff", "outsider"):
        assert not model.objects.visible_to(full_world.users[user], write=True).exists(), user


def test_moe_viewer_reads_everything(full_world: World) -> None:
    """Everything but the rows of models holding sensitive data about minors (MOE_READS)."""
    moe = full_world.users["moe"]
    for label in OWNERSHIP:
        model = apps.get_model(label)
        if getattr(model, "MOE_READS", True):
            assert model.objects.visible_to(moe).count() == model.objects.count(), label
        else:
            assert model.objects.exists() and not model.objects.visible_to(moe).exists(), label
    assert [m for m in OWNERSHIP if not getattr(apps.get_model(m), "MOE_READS", True)] == [
        "devices.studentsupport",
        "helpdesk.helprequest",
        "helpdesk.requestmessage",
        "helpdesk.requestattachment",
        "homeschool.contactentry",
        "homeschool.contactattachment",
        "homeschool.contactsignature",
        "homeschool.leaverequest",
        "homeschool.leaveattachment",
        "homeschool.attendancerecord",
        "homeschool.announcement",
        "homeschool.announcementread",
        "homeschool.conversation",
        "homeschool.message",
        "homeschool.notificationpreference",
        "homeschool.notification",
    ]


@pytest.mark.parametrize(
    "public_id", ["not-a-uuid", "123", "", "00000000-0000-0000-0000-000000000000"]
)
def test_a_malformed_or_missing_id_is_a_404(world: World, public_id: str) -> None:
    from django.http import Http404

    from dtss.core.tenancy import get_visible_or_404
    from dtss.orgs.models import School

    with pytest.raises(Http404):
        get_visible_or_404(School, world.users["a_admin"], public_id)
