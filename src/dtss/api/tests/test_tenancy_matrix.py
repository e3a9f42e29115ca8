# ruff: noqa: E501  (the matrix is a table: one request per line)
"""The API's tenancy matrix: every endpoint × every role, on objects in the role's own scope,
in another school and in another county.

Each row is one request; the columns are the roles of `world` (see conftest.ROLES). A cell is
the status that role must get: 200/201/204 allowed, 404 outside the scope (exactly like a
missing object), 403 where the role may never use the endpoint (or may read the object but not
change it), 422 where an object named in the body is missing or outside the write scope.
Every refused write leaves every table unchanged; every allowed write changes something (a
POST that only reads, such as a file preview, changes nothing either way).

`test_matrix_covers_every_endpoint` fails when an endpoint is added without a row here, and
`test_matrix_covers_every_model` when a model of orgs/core/accounts/framework has no row
reaching it. The API exposes only part of surveys and analytics (the rest is reached through
the pages), so their models are held to the endpoints only, by the first test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from dtss.api.tests.conftest import ROLES, ApiWorld, call, export_csv, row_counts
from dtss.api.urls import api
from dtss.orgs.models import PromotionOffice


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # with {kind:key} placeholders, see ApiWorld.fill
    expect: dict[str, int]
    body: dict[str, Any] | None = None
    session: bool = False  # call with a browser session (and CSRF token) instead of a token
    prepare: str = ""  # name of a setup step, see PREPARE
    in_place: bool = False  # an allowed write that changes rows without adding any
    upload: str = ""  # send the body as a form with this file of UPLOADS as `file`
    reads: bool = False  # a POST that only reads (a preview): changes nothing, allowed or not

    @property
    def endpoint(self) -> str:
        """The route this row exercises, e.g. 'GET /schools/{public_id}'."""
        import re

        path = self.path.split("?")[0]
        path = re.sub(r"\{(?:county|strategy|acode):[^}]+\}", "{code}", path)
        path = re.sub(r"\{mapping:[^}]+\}", "{mapping_id}", path)
        path = re.sub(r"\{import:[^}]+\}", "{import_id}", path)
        path = re.sub(r"\{programme:[^}]+\}", "{programme}", path)
        path = re.sub(r"\{student:[^}]+\}", "{student_public_id}", path)
        path = re.sub(r"\{day:[^}]+\}", "{day}", path)
        path = re.sub(r"\{\w+:[^}]+\}", "{public_id}", path)
        return f"{self.method} {path}"


def row(method: str, path: str, codes: str, body: Any = None, **kw: Any) -> Row:
    values = [int(c) for c in codes.split()]
    assert len(values) == len(ROLES), f"{method} {path}: {len(values)} columns"
    return Row(method, path, dict(zip(ROLES, values, strict=True)), body, **kw)


def _submitted(w: ApiWorld) -> None:
    """The schools' assessments A-elem and B-elem submitted, for the review rows."""
    from dtss.framework.services import assessment_submit

    w.framework("cycles")
    for key in ("A-elem", "B-elem"):
        assessment_submit(assessment=w.objects[f"assessment:{key}"], actor=None)


def _files(w: ApiWorld) -> None:
    """evidence:A-elem-file, A-county-file and B-elem-file: a PDF on the response of each."""
    from django.core.files.base import ContentFile

    from dtss.framework.models import Evidence

    w.framework("cycles")
    for name in ("A-elem", "A-county", "B-elem"):
        response = w.objects[f"response:{name}"]
        w.objects[f"evidence:{name}-file"] = Evidence.objects.create(
            county_id=response.county_id,
            school_id=response.school_id,
            response=response,
            kind=Evidence.Kind.FILE,
            title="計畫.pdf",
            file=ContentFile(b"%PDF-1.4 matrix", name="計畫.pdf"),
            content_type="application/pdf",
            size=15,
        )


def _survey_questionnaire(admin: Any, county: Any, school: Any, group: str) -> Any:
    """A questionnaire with one section: Q1 scale, Q2 single choice."""
    from dtss.surveys import services as sv

    qn = sv.questionnaire_create(
        actor=admin, county=county, school=school, title_zh="問卷", group=group
    )
    section = qn.sections.get()
    sv.question_create(section=section, actor=admin, kind="scale5", text_zh="我喜歡上學")
    sv.question_create(
        section=section, actor=admin, kind="single", text_zh="有網路嗎", options=["有", "無"]
    )
    return qn


def _surveys(w: ApiWorld) -> None:
    """Survey objects keyed A-elem, A-county (the county's own) and B-elem: qn: a teachers'
    questionnaire with section: (Q1 scale = question:, Q2 choice) and an empty section:…-2;
    srun: an open anonymous run of it (A-county's reaches A-elem and A-junior) with acode: an
    unused code; srun:…-draft a draft one; for A-elem and B-elem nrun: an open named run for
    parents with inv: the invitation of elem_parent / b_parent. bank:builtin a bank question."""
    from datetime import timedelta

    from django.utils import timezone

    from dtss.surveys import services as sv
    from dtss.surveys.models import BankQuestion

    world, o = w.world, w.objects
    o["bank:builtin"] = BankQuestion.objects.filter(county__isnull=True, group="teachers").first()
    opens = timezone.now() - timedelta(hours=1)
    times = {"opens_at": opens, "closes_at": opens + timedelta(days=14)}
    for key, county, school_key, name in (
        ("A-elem", "A", "A-elem", "a_admin"),
        ("A-county", "A", None, "a_admin"),
        ("B-elem", "B", "B-elem", "b_admin"),
    ):
        admin, owner = world.users[name], world.counties[county]
        school = world.schools[school_key] if school_key else None
        qn = o[f"qn:{key}"] = _survey_questionnaire(admin, owner, school, "teachers")
        o[f"section:{key}"] = qn.sections.get()
        o[f"section:{key}-2"] = sv.section_create(questionnaire=qn, actor=admin, title_zh="二")
        o[f"question:{key}"] = qn.questions.get(code="Q1")
        reach = [world.schools["A-elem"], world.schools["A-junior"]] if school is None else []
        for suffix in ("", "-draft"):
            o[f"srun:{key}{suffix}"] = sv.run_create(
                actor=admin,
                county=owner,
                school=school,
                title=f"run {key}",
                mode="anonymous",
                parts={"teachers": qn},
                schools=reach,
                **times,
            )
        sv.run_open(run=o[f"srun:{key}"], actor=admin)
        o[f"acode:{key}"] = sv.codes_generate(
            run=o[f"srun:{key}"], actor=admin, group="teachers", school=school or reach[0], count=1
        )[0]
        if school is not None:
            named = sv.run_create(
                actor=admin,
                county=owner,
                school=school,
                title=f"form {key}",
                mode="named",
                parts={"parents": _survey_questionnaire(admin, owner, school, "parents")},
                **times,
            )
            o[f"nrun:{key}"] = sv.run_open(run=named, actor=admin)
            o[f"inv:{key}"] = named.invitations.get()


def _predict(w: ApiWorld) -> None:
    """Prediction: version:A / version:B (each county's enabled elementary model) with a score
    of elem_student (A-elem 5-1) and b_student (B-elem 3-2); iv:A, iv:B an intervention for
    each, recorded by their homeroom teacher."""
    from dtss.predict import intervention_services
    from dtss.predict.models import ModelVersion, RiskScore

    world, o = w.world, w.objects
    for key, name, class_key, teacher in (
        ("A", "elem_student", "A-elem 5-1", "elem_teacher"),
        ("B", "b_student", "B-elem 3-2", "b_teacher"),
    ):
        school_class = world.classes[class_key]
        version = ModelVersion.objects.create(
            county=world.counties[key],
            stage="elementary",
            number=1,
            status="enabled",
            passed=True,
            card={"auc": 0.8, "baseline_auc": 0.7},
            artifact=b"",
            sha256="0" * 64,
        )
        RiskScore.objects.create(
            county_id=school_class.county_id,
            school_id=school_class.school_id,
            school_class=school_class,
            person=world.people[name],
            version=version,
            as_of=TODAY - timedelta(days=TODAY.weekday()),
            probability=0.7,
            band="high",
            rank=1,
            reasons=[{"code": "activity_drop", "value": -0.6}],
        )
        o[f"version:{key}"] = version
        o[f"iv:{key}"] = intervention_services.intervention_add(
            person=world.people[name], actor=world.users[teacher], date=TODAY, kind="talk"
        )


def _devices(w: ApiWorld) -> None:
    """Devices (issue 8) of A-elem (key A), A-junior and B-elem (key B), made through the
    services. device:A, device:A-junior, device:B in stock; device:A-held assigned (assign:A) to
    elem_student; loan:A / loan:B a take-home loan awaiting the agreement for elem_student /
    b_student, loan:A-active / loan:B-active one signed on paper (of device:A-loaned / B-loaned);
    licence:A, licence:B with seat:A, seat:B (the student's), licence:A-county (county-wide);
    student:A / student:B the student, with support: (a support record) and lreq: (an open loan
    request); coll:A, coll:B an open needs collection with nsub:A (A-elem's, a draft with
    nline:A), nsub:A-junior and nsub:B (submitted, nline:B); coll:A-draft a draft, coll:A-2 an
    open one without submissions; pplan:A, pplan:B an approved plan (pline:, alloc:A to A-elem,
    alloc:A-junior, alloc:B) and pplan:A-draft, pplan:B-draft drafts (pline:…-draft);
    stocktake:A, stocktake:B open; dimport:A, dimport:B a finished register import."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dtss.devices import (
        equity_services,
        import_services,
        licence_services,
        loan_services,
        review_services,
    )
    from dtss.devices import procurement_services as ps
    from dtss.devices.tests.factories import make_device

    world, o = w.world, w.objects
    due = TODAY + timedelta(days=30)
    o["device:A-junior"] = make_device(world, "A-junior")
    o["licence:A-county"] = licence_services.licence_create(
        county=world.counties["A"], name="縣網授權", seats=50
    )
    for key, school_key, student in (("A", "A-elem", "elem_student"), ("B", "B-elem", "b_student")):
        county, school, person = (
            world.counties[key],
            world.schools[school_key],
            world.people[student],
        )
        o[f"device:{key}"] = make_device(world, school_key)
        o[f"loan:{key}"] = loan_services.loan_create(
            device=make_device(world, school_key), student=person, due_on=due
        )
        active = loan_services.loan_create(
            device=make_device(world, school_key), student=person, due_on=due
        )
        o[f"loan:{key}-active"] = loan_services.loan_sign_on_paper(
            assignment=active, signed_name=student.replace("student", "parent")
        )
        o[f"device:{key}-loaned"] = active.device
        licence = licence_services.licence_create(
            county=county, school=school, name="Office", seats=10
        )
        o[f"licence:{key}"] = licence
        o[f"seat:{key}"] = licence_services.seat_assign(licence=licence, person=person)
        o[f"student:{key}"] = person
        o[f"support:{key}"] = equity_services.support_set(
            student=person, remote=True, device_at_home="no", internet_at_home="shared"
        )
        o[f"lreq:{key}"] = loan_services.loan_request_create(student=person, need="device")
        coll = ps.collection_create(
            county=county, title="需求調查", kinds=[], opens_on=TODAY, closes_on=due
        )
        coll = o[f"coll:{key}"] = ps.collection_open(collection=coll)
        sub = o[f"nsub:{key}"] = ps.submission_get_or_create(collection=coll, school=school)
        o[f"nline:{key}"] = ps.need_line_add(
            submission=sub, kind="tablet", quantity=2, justification="平板不足"
        )
        schools = [school, world.schools["A-junior"]] if key == "A" else [school]
        for suffix in ("", "-draft"):
            plan = ps.plan_create(county=county, title=f"採購 {key}{suffix}")
            line = ps.plan_line_add(
                plan=plan,
                allocations=dict.fromkeys(schools, 1),
                kind="tablet",
                quantity=len(schools),
                unit_cost=15000,
            )
            if not suffix:
                plan = ps.plan_approve(plan=plan)
                for s in schools:
                    name = key if s == school else "A-junior"
                    o[f"alloc:{name}"] = line.allocations.get(school=s)
            o[f"pplan:{key}{suffix}"], o[f"pline:{key}{suffix}"] = plan, line
        o[f"stocktake:{key}"] = review_services.stocktake_create(school=school)
        job = import_services.device_import_create(
            user=None,
            source="register",
            uploaded_file=SimpleUploadedFile("register.csv", REGISTER_CSV),
            county=county,
            school=school,
            enqueue=False,
        )
        o[f"dimport:{key}"] = import_services.device_import_run(job=job)
    held = o["device:A-held"] = make_device(world, "A-elem")
    o["assign:A"] = loan_services.assignment_create(
        device=held, person=world.people["elem_student"]
    )
    o["coll:A-draft"] = ps.collection_create(
        county=world.counties["A"], title="草稿", kinds=[], opens_on=TODAY, closes_on=due
    )
    o["coll:A-2"] = ps.collection_open(
        collection=ps.collection_create(
            county=world.counties["A"], title="第二次", kinds=[], opens_on=TODAY, closes_on=due
        )
    )
    junior = ps.submission_get_or_create(collection=o["coll:A"], school=world.schools["A-junior"])
    ps.need_line_add(submission=junior, kind="laptop", quantity=1, justification="筆電不足")
    o["nsub:A-junior"] = ps.submission_submit(submission=junior)
    ps.submission_submit(submission=o["nsub:B"])  # B-elem's submitted (no one in B fills)


def _helpdesk(w: ApiWorld) -> None:
    """The helpdesk (issue 9) of county A (key A, school A-elem) and county B (key B, school
    B-elem): the county office's groups hgroup:A-equipment (a_staff a member), A-teaching and
    hgroup:B-equipment, B-teaching; hreq:A / hreq:B raised by elem_student / b_student,
    answered by a handler (elem_admin / b_admin) with an internal note, hreq:A-parent /
    hreq:B-parent raised by elem_parent / b_parent, hreq:A-done / hreq:B-done the student's,
    resolved; canned:A, canned:B county-wide replies and canned:A-elem, canned:B-elem the
    school's own; article:A, article:B a published county article and article:A-elem-draft,
    article:B-elem-draft a school's draft; thread:A (by elem_admin) with its opening post
    post:A-first and post:A (a reply by junior_admin), thread:B (by b_admin) with post:B-first
    and post:B (b_admin's reply); the counties' HelpdeskSettings; cday:A, cday:B a county-wide
    day off and cday:A-elem one of A-elem; device:hd-A a tablet of A-elem; hatt:A / hatt:B a
    file on the student's request and hatt:A-note / hatt:B-note one on its internal note;
    amedia:A / amedia:B an image of the county's article."""
    from django.core.files.base import ContentFile

    from dtss.devices.tests.factories import make_device
    from dtss.helpdesk import community_services, services
    from dtss.helpdesk.models import (
        ArticleMedia,
        CalendarDay,
        CannedReply,
        HelpdeskSettings,
        RequestAttachment,
    )
    from dtss.helpdesk.tests.factories import make_article, make_request, office_groups

    world, o = w.world, w.objects
    users = world.users
    for key, school_key, student, parent, handler in (
        ("A", "A-elem", "elem_student", "elem_parent", "elem_admin"),
        ("B", "B-elem", "b_student", "b_parent", "b_admin"),
    ):
        county, school = world.counties[key], world.schools[school_key]
        for kind, group in office_groups(world, key).items():
            o[f"hgroup:{key}-{kind}"] = group
        req = o[f"hreq:{key}"] = make_request(world, student)
        services.request_reply(request_obj=req, user=users[handler], body="請先清除快取再試一次。")
        services.request_reply(
            request_obj=req, user=users[handler], body="可能是帳號綁定問題", internal=True
        )
        o[f"hreq:{key}-parent"] = make_request(
            world, parent, category="device", platform="", subject="孩子的平板無法充電"
        )
        done = make_request(world, student, subject="教育雲帳號忘記密碼")
        services.request_reply(request_obj=done, user=users[handler], body="已協助重設密碼。")
        o[f"hreq:{key}-done"] = services.request_status_set(
            request_obj=done, user=users[handler], status="resolved"
        )
        o[f"canned:{key}"] = CannedReply.objects.create(
            county=county, title="清除快取", body="請先清除瀏覽器快取後再登入。"
        )
        o[f"canned:{school_key}"] = CannedReply.objects.create(
            county=county, school=school, title="本校資訊組", body="請到資訊組找管理員。"
        )
        o[f"article:{key}"] = make_article(world, key)
        o[f"amedia:{key}"] = ArticleMedia.objects.create(
            county=county,
            article=o[f"article:{key}"],
            kind="image",
            file=ContentFile(PNG, name="step.png"),
            name="step.png",
            content_type="image/png",
        )
        note = req.messages.get(kind="note")
        for att_key, message in ((f"hatt:{key}", None), (f"hatt:{key}-note", note)):
            o[att_key] = RequestAttachment.objects.create(
                county=county,
                school=school,
                request=req,
                message=message,
                file=ContentFile(PNG, name="screen.png"),
                name="screen.png",
                content_type="image/png",
            )
        o[f"article:{school_key}-draft"] = make_article(
            world, key, school=school, status="draft", title_zh="本校平板借用須知"
        )
        HelpdeskSettings.objects.create(county=county)
        o[f"cday:{key}"] = CalendarDay.objects.create(
            county=county, date=date(2099, 1, 1), name="開國紀念日"
        )
    o["cday:A-elem"] = CalendarDay.objects.create(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        date=date(2099, 1, 5),
        name="校慶補假",
    )
    o["device:hd-A"] = make_device(world, "A-elem")
    for key, author, replier in (("A", "elem_admin", "junior_admin"), ("B", "b_admin", "b_admin")):
        thread = o[f"thread:{key}"] = community_services.thread_create(
            user=users[author],
            county=world.counties[key],
            topic="device",
            title="平板充電車怎麼管理",
            body="各校怎麼排充電？",
        )
        o[f"post:{key}-first"] = thread.posts.get()
        o[f"post:{key}"] = community_services.post_create(
            thread=thread, user=users[replier], body="我們用排程插座。"
        )


def _homeschool(w: ApiWorld) -> None:
    """The homeschool (issue 10) of A-elem (key A; class 5-1: elem_teacher, elem_student with
    elem_parent, elem_student2) and B-elem (key B; class 3-2: b_teacher, b_student with
    b_parent), through the services: the default leave types and periods (ltype:A / ltype:B
    sick, period:A / period:B the first period); elem_admin teaches 5-1 數學 on Mondays (a
    subject teacher a parent may write to); entry:A / entry:B a published contact book entry
    of last Monday (day:past) with a file catt:A / catt:B and the signature sig:A / sig:B of
    the parent (with a reply); entry:A-draft a draft of last Tuesday with catt:A-draft;
    leave:A / leave:B the parent's pending leave of next Monday (day:next) with a document
    latt:A / latt:B; leave:A-approved elem_parent's leave of last Wednesday, approved by
    elem_teacher; elem_student2 unexcused on day:past; ann:A-county (a_admin's), ann:A-elem
    (elem_admin's) published announcements, ann:A-draft a draft of elem_teacher's class,
    ann:B b_teacher's class's published one; conv:A / conv:B the homeroom teacher and the
    parent, with a message of the parent; notif:A / notif:B a delivered notification of the
    parent; hsqn:A / hsqn:B a parents' questionnaire of the school and form:A / form:B a form
    sent with it to the class by the homeroom teacher; person:elem_parent2 the father of
    elem_student2 (no login)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from dtss.homeschool import announce_services as asvc
    from dtss.homeschool import contact_services as csvc
    from dtss.homeschool import form_services as fsvc
    from dtss.homeschool import message_services as msvc
    from dtss.homeschool import services as hs
    from dtss.homeschool.models import LeaveType, Notification, Period, TimetableSlot
    from dtss.orgs import services as org_services

    world, o = w.world, w.objects
    users, people = world.users, world.people
    o["day:past"], o["day:next"] = HS_PAST, HS_NEXT
    o["day:leave"] = HS_NEXT + timedelta(days=1)  # the leave rows' day: no leave yet
    for key, school_key, class_key, teacher, student, parent, admin in (
        ("A", "A-elem", "A-elem 5-1", "elem_teacher", "elem_student", "elem_parent", "a_admin"),
        ("B", "B-elem", "B-elem 3-2", "b_teacher", "b_student", "b_parent", "b_admin"),
    ):
        school, school_class = world.schools[school_key], world.classes[class_key]
        hs.school_setup_ensure(school=school)
        sick = o[f"ltype:{key}"] = LeaveType.objects.get(school=school, code="sick")
        o[f"period:{key}"] = Period.objects.get(school=school, code="p1")
        entry = o[f"entry:{key}"] = csvc.entry_save(
            user=users[teacher],
            school_class=school_class,
            day=HS_PAST,
            homework="國語習作第5課",
            notices="",
            bring="水壺",
            files=[SimpleUploadedFile("通知.pdf", b"%PDF-1.4 hs", "application/pdf")],
            publish=True,
        )
        o[f"catt:{key}"] = entry.attachments.get()
        o[f"sig:{key}"] = csvc.signature_sign(
            user=users[parent], entry=entry, student=people[student], reply="明天會帶"
        )
        o[f"leave:{key}"] = hs.leave_request_create(
            user=users[parent],
            student=people[student],
            leave_type=sick,
            start_date=HS_NEXT,
            end_date=HS_NEXT,
            reason="看醫生",
            files=[SimpleUploadedFile("診斷證明.pdf", b"%PDF-1.4 hs", "application/pdf")],
        )
        o[f"latt:{key}"] = o[f"leave:{key}"].attachments.get()
        conv = o[f"conv:{key}"] = msvc.conversation_start(
            user=users[parent],
            teacher=people[teacher],
            parent=people[parent],
            student=people[student],
        )
        msvc.message_send(user=users[parent], conversation=conv, body="請問明天要帶什麼？")
        o[f"notif:{key}"] = Notification.objects.create(
            county_id=school.county_id,
            school=school,
            recipient=people[parent],
            kind="announcement",
            title="通知",
            deliver_at=timezone.now() - timedelta(hours=1),
        )
        qn = o[f"hsqn:{key}"] = _survey_questionnaire(
            users[admin], school.county, school, "parents"
        )
        o[f"form:{key}"] = fsvc.form_send(
            user=users[teacher],
            school_class=school_class,
            questionnaire=qn,
            group="parents",
            title="校外教學調查",
            closes_at=timezone.now() + timedelta(days=7),
        )
    school, school_class = world.schools["A-elem"], world.classes["A-elem 5-1"]
    TimetableSlot.objects.create(
        county=school.county,
        school=school,
        school_class=school_class,
        weekday=1,
        period=Period.objects.get(school=school, code="p2"),
        subject="數學",
        teacher=people["elem_admin"],
    )
    draft = o["entry:A-draft"] = csvc.entry_save(
        user=users["elem_teacher"],
        school_class=school_class,
        day=HS_PAST + timedelta(days=1),
        homework="數學習作",
        notices="",
        bring="",
        files=[SimpleUploadedFile("草稿.pdf", b"%PDF-1.4 hs", "application/pdf")],
    )
    o["catt:A-draft"] = draft.attachments.get()
    approved = hs.leave_request_create(
        user=users["elem_parent"],
        student=people["elem_student"],
        leave_type=o["ltype:A"],
        start_date=HS_PAST + timedelta(days=2),
        end_date=HS_PAST + timedelta(days=2),
        reason="發燒",
    )
    hs.leave_decide(user=users["elem_teacher"], leave=approved, approve=True, note="")
    o["leave:A-approved"] = approved
    hs.attendance_set(
        user=users["elem_teacher"],
        school_class=school_class,
        date=HS_PAST,
        marks={(people["elem_student2"].pk, o["period:A"].pk): ("unexcused", None, "")},
    )
    school_b, class_b = world.schools["B-elem"], world.classes["B-elem 3-2"]
    for key, user, county, owner_school, owner_class in (
        ("A-county", "a_admin", school.county, None, None),
        ("A-elem", "elem_admin", school.county, school, None),
        ("A-draft", "elem_teacher", school.county, school, school_class),
        ("B", "b_teacher", school_b.county, school_b, class_b),
    ):
        a = asvc.announcement_save(
            user=users[user],
            county=county,
            school=owner_school,
            school_class=owner_class,
            title=f"公告 {key}",
            body="請家長留意。",
            to_staff=True,
            to_students=True,
            to_parents=True,
        )
        if key != "A-draft":
            asvc.announcement_publish(user=users[user], announcement=a)
        o[f"ann:{key}"] = a
    father = o["person:elem_parent2"] = org_services.person_create(
        county=school.county, name="elem_parent2", external_id="elem_parent2"
    )
    org_services.guardianship_create(
        parent=father, child=people["elem_student2"], relation="father"
    )


PREPARE = {
    "predict": _predict,
    "devices": _devices,
    "helpdesk": _helpdesk,
    "homeschool": _homeschool,
    "no_office_A": lambda w: PromotionOffice.objects.filter(county=w.objects["county:A"]).delete(),
    "fw": lambda w: w.framework(),  # lists: every framework object exists
    "submitted": _submitted,
    "files": _files,
    "surveys": _surveys,
    "platforms": lambda w: w.framework("platforms"),  # lists: every platform exists
    "learning": lambda w: w.framework("learning"),  # learning records, rolled up
}

# A devices register file (imports: queued by the API, run by the worker; made in _devices).
REGISTER_CSV = b"asset_tag,serial,kind\r\nIMP-0001,SNIMP0001,tablet\r\n"
# Files for the upload rows: a devices register file; a platform's export, good (students of
# both counties: the rows need not resolve to be stored) and bad (a row without an account, one with a bad time: the
# preview lists the problems; an import of it is queued and fails in the worker).
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64  # the helpdesk's files (an image, checked by its bytes)
UPLOADS = {
    # name, content[, media type, form field (default "file")]
    "png": ("screen.png", PNG, "image/png", "files"),
    "register": ("register.csv", REGISTER_CSV),
    "good": (
        "export.csv",
        export_csv(
            "elem_student,answered,math-q-1,數學,45,2025-10-06 09:40",
            "b_student,experienced,eng-video-1,英文,300,2025-10-07 10:00",
        ),
    ),
    "bad": (
        "export.csv",
        export_csv(
            ",answered,math-q-1,數學,45,2025-10-06 09:40",
            "elem_student,answered,math-q-1,數學,45,yesterday",
        ),
    ),
}
TODAY = date.today()  # the prediction rows: an intervention's date may not be in the future
# The homeschool rows: last week's Monday (entries, attendance: a past school day) and next
# Monday (leave, a new entry: a school day ahead, within the contact book's 14 days), in Taipei.
HS_TODAY = timezone.localdate()
HS_PAST = HS_TODAY - timedelta(days=HS_TODAY.weekday() + 7)
HS_NEXT = HS_TODAY + timedelta(days=7 - HS_TODAY.weekday())
NOT_PREVIEWED = {"sha256": "0" * 64}  # not the file's hash: 422 at once, nothing kept
DUE = str(TODAY + timedelta(days=60))  # the devices rows: an expected return, a closing date
# The query of the overview rows: two weeks of term 114-1 holding the learning records.
WEEKS = "period=custom&start=2025-10-06&end=2025-10-19"
PLATFORM = {
    "name": "酷課雲",
    "kind": "cooc",
    "account_home_page": "https://cooc.tp.edu.tw",
    "purpose": "學習歷程分析",
    "data_fields": "帳號、學習時間",
    "legal_basis": "個人資料保護法第16條",
}
MAPPING = {
    "name": "作答紀錄",
    "spec": {
        "actor_column": "帳號",
        "verb": "answered",
        "activity_column": "題目",
        "timestamp_column": "時間",
    },
}

# The helpdesk rows: a request, an article, a discussion, working hours, a service target.
HD_REQUEST = {"category": "device", "subject": "平板無法開機", "description": "按電源鍵沒有反應。"}
HD_ARTICLE = {"title_zh": "平板無法開機", "body_zh": "長按電源鍵十秒重新啟動。"}
HD_THREAD = {"topic": "device", "title": "平板無法開機", "body": "各校怎麼處理？"}
HD_HOURS = {
    "work_days": [1, 2, 3, 4, 5],
    "work_start": "07:30",
    "work_end": "16:30",
    "auto_close_days": 10,
}
HD_TARGET = {
    "category": "device",
    "first_response_minutes": 60,
    "resolution_minutes": 480,
    "escalate_when": "breach",
}

# The homeschool rows: a leave request (multipart: day:leave, sick leave, a reason),
# contact-book rules, a timetable cell, a form, an announcement.
HS_LEAVE = {
    "leave_type": "sick",
    "start_date": "{day:leave}",
    "end_date": "{day:leave}",
    "reason": "看牙醫",
}
HS_SETTINGS = {"second_approval_days": 3, "quiet_start": "21:30", "quiet_end": "07:00"}
HS_SLOT = {"weekday": 1, "period": "p1", "subject": "國語", "teacher": "{person:elem_admin}"}
HS_FORM = {
    "group": "parents",
    "title": "親師座談會調查",
    "closes_at": (timezone.now() + timedelta(days=7)).isoformat(),
}
HS_ANNOUNCEMENT = {"title": "颱風停課", "body": "明天停止上課。", "to_parents": True}

# fmt: off
MATRIX = [
    # method path                                          moe a_ad a_st b_ad e_ad j_ad e_te j_te b_te e_st e_pa b_pa outs
    # --- me, counties, districts
    row("GET", "/me",                                      "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    row("GET", "/counties",                                "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    row("GET", "/counties/{county:A}",                     "200 200 200 404 200 200 200 200 404 200 200 404 404"),
    row("GET", "/counties/{county:B}",                     "200 404 404 200 404 404 404 404 200 404 404 200 404"),
    row("GET", "/districts",                               "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    row("POST", "/districts",                              "403 201 403 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", "code": "A9", "name_zh": "新區"}),
    row("POST", "/districts",                              "403 422 403 201 403 403 403 403 403 403 403 403 403",
        {"county": "{county:B}", "code": "B9", "name_zh": "新區"}),
    # --- schools
    row("GET", "/schools",                                 "200 200 200 200 200 200 200 200 200 403 403 403 403"),
    row("GET", "/schools/{school:A-elem}",                 "200 200 200 404 200 404 200 404 404 403 403 403 403"),
    row("GET", "/schools/{school:A-junior}",               "200 200 200 404 404 200 404 200 404 403 403 403 403"),
    row("GET", "/schools/{school:B-elem}",                 "200 404 404 200 404 404 404 404 200 403 403 403 403"),
    row("POST", "/schools",                                "403 201 403 422 403 403 403 403 403 403 403 403 403",
        {"district": "{district:A}", "code": "083602", "name_zh": "新國小", "stage": "elementary"}),
    row("POST", "/schools",                                "403 422 403 201 403 403 403 403 403 403 403 403 403",
        {"district": "{district:B}", "code": "024602", "name_zh": "新國小", "stage": "elementary"}),
    row("PATCH", "/schools/{school:A-elem}",               "403 200 403 404 200 404 403 403 403 403 403 403 403",
        {"phone": "049-2222222"}),
    row("PATCH", "/schools/{school:A-junior}",             "403 200 403 404 404 200 403 403 403 403 403 403 403",
        {"phone": "049-2222222"}),
    row("PATCH", "/schools/{school:B-elem}",               "403 404 403 200 404 404 403 403 403 403 403 403 403",
        {"phone": "03-9999999"}),
    row("POST", "/schools/{school:A-elem}/people",         "403 201 403 404 201 404 403 403 403 403 403 403 403",
        {"name": "新老師", "role": "teacher", "external_id": "T-NEW"}),
    row("POST", "/schools/{school:B-elem}/people",         "403 404 403 201 404 404 403 403 403 403 403 403 403",
        {"name": "新老師", "role": "teacher", "external_id": "T-NEW"}),
    # --- terms and classes
    row("GET", "/terms",                                   "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    row("GET", "/classes",                                 "200 200 200 200 200 200 200 200 200 403 403 403 403"),
    row("GET", "/classes/{class:A-elem}",                  "200 200 200 404 200 404 200 404 404 200 200 404 404"),
    row("GET", "/classes/{class:A-junior}",                "200 200 200 404 404 200 404 200 404 404 404 404 404"),
    row("GET", "/classes/{class:B-elem}",                  "200 404 404 200 404 404 404 404 200 404 404 200 404"),
    row("GET", "/classes/{class:A-elem}/students",         "200 200 200 404 200 404 200 404 404 403 403 403 403"),
    row("GET", "/classes/{class:A-junior}/students",       "200 200 200 404 404 200 404 200 404 403 403 403 403"),
    row("GET", "/classes/{class:B-elem}/students",         "200 404 404 200 404 404 404 404 200 403 403 403 403"),
    row("POST", "/classes",                                "403 201 403 422 201 422 403 403 403 403 403 403 403",
        {"school": "{school:A-elem}", "roc_year": 114, "semester": 1, "grade": 6, "number": 2}),
    row("POST", "/classes",                                "403 422 403 201 422 422 403 403 403 403 403 403 403",
        {"school": "{school:B-elem}", "roc_year": 114, "semester": 1, "grade": 6, "number": 2}),
    # --- people
    row("GET", "/people",                                  "200 200 200 200 200 200 200 200 200 403 403 403 403"),
    row("GET", "/people/{person:elem_student}",            "200 200 200 404 200 404 200 404 404 200 200 404 404"),
    row("GET", "/people/{person:elem_student2}",           "200 200 200 404 200 404 200 404 404 404 404 404 404"),
    row("GET", "/people/{person:elem_parent}",             "200 200 200 404 200 404 200 404 404 404 200 404 404"),
    row("GET", "/people/{person:junior_teacher}",          "200 200 200 404 404 200 404 200 404 404 404 404 404"),
    row("GET", "/people/{person:b_student}",               "200 404 404 200 404 404 404 404 200 404 404 200 404"),
    row("GET", "/people/{person:elem_student}/memberships", "200 200 200 404 200 404 200 404 404 200 200 404 404"),
    row("GET", "/people/{person:junior_teacher}/memberships", "200 200 200 404 404 200 404 200 404 404 404 404 404"),
    row("GET", "/people/{person:b_student}/memberships",   "200 404 404 200 404 404 404 404 200 404 404 200 404"),
    row("POST", "/people",                                 "403 201 403 422 201 422 403 403 403 403 403 403 403",
        {"name": "新人", "role": "teacher", "school": "{school:A-elem}"}),
    row("POST", "/people",                                 "403 422 403 201 422 422 403 403 403 403 403 403 403",
        {"name": "新人", "role": "teacher", "school": "{school:B-elem}"}),
    row("POST", "/people",                                 "403 201 403 422 422 422 403 403 403 403 403 403 403",
        {"name": "新人", "role": "county_staff", "county": "{county:A}"}),
    row("POST", "/people/{person:new_a_teacher}/account",  "403 201 403 404 201 404 403 403 403 403 403 403 403",
        {"username": "newlogin", "email": "new@example.org"}),
    row("POST", "/people/{person:new_b_teacher}/account",  "403 404 403 201 404 404 403 403 403 403 403 403 403",
        {"username": "newlogin", "email": "new@example.org"}),
    row("GET", "/guardianships",                           "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    row("POST", "/guardianships",                          "403 201 403 422 201 422 403 403 403 403 403 403 403",
        {"parent": "{person:elem_parent}", "child": "{person:elem_student2}", "relation": "father"}),
    row("POST", "/guardianships",                          "403 422 403 201 422 422 403 403 403 403 403 403 403",
        {"parent": "{person:b_teacher}", "child": "{person:b_student}"}),
    # --- the promotion office
    row("GET", "/office",                                  "422 200 200 200 403 403 403 403 403 403 403 403 403"),
    row("GET", "/office?county={county:A}",                "200 200 200 404 403 403 403 403 403 403 403 403 403"),
    row("GET", "/office?county={county:B}",                "200 404 404 200 403 403 403 403 403 403 403 403 403"),
    row("POST", "/office",                                 "403 201 403 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", "name": "南投縣數位學習推動辦公室"}, prepare="no_office_A"),
    row("POST", "/office/groups",                          "403 201 403 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", "kind": "teaching", "name": "教學輔導組"}),
    row("POST", "/office/groups/{group:A}/members",        "403 200 403 404 403 403 403 403 403 403 403 403 403",
        {"person": "{person:a_staff}"}),
    row("POST", "/office/groups/{group:B}/members",        "403 404 403 200 403 403 403 403 403 403 403 403 403",
        {"person": "{person:b_teacher}"}),
    row("POST", "/office/plans",                           "403 201 403 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", "roc_year": 115, "title": "115 plan"}),
    row("POST", "/office/plans/{plan:A}/tasks",            "403 201 403 404 403 403 403 403 403 403 403 403 403",
        {"title": "採購平板"}),
    row("POST", "/office/plans/{plan:B}/tasks",            "403 404 403 201 403 403 403 403 403 403 403 403 403",
        {"title": "採購平板"}),
    row("PATCH", "/office/tasks/{task:A}",                 "403 200 403 404 403 403 403 403 403 403 403 403 403",
        {"status": "done"}),
    row("PATCH", "/office/tasks/{task:B}",                 "403 404 403 200 403 403 403 403 403 403 403 403 403",
        {"status": "done"}),
    # --- audit log and tokens
    row("GET", "/audit",                                   "403 200 403 200 200 200 403 403 403 403 403 403 403"),
    row("GET", "/tokens",                                  "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    row("POST", "/tokens",                                 "201 201 201 201 201 201 201 201 201 201 201 201 201",
        {"name": "script"}, session=True),
    row("POST", "/tokens",                                 "403 403 403 403 403 403 403 403 403 403 403 403 403",
        {"name": "minted by a token"}),
    row("DELETE", "/tokens/{token:own}",                   "204 204 204 204 204 204 204 204 204 204 204 204 204"),
    row("DELETE", "/tokens/{token:other}",                 "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    # --- the framework (Tables 6 and 7): every signed-in user; local strategies per county
    row("GET", "/framework",                               "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    row("GET", "/framework?county={county:A}",             "200 200 200 404 200 200 200 200 404 200 200 404 404"),
    row("GET", "/framework?county={county:B}",             "200 404 404 200 404 404 404 404 200 404 404 200 404"),
    row("GET", "/framework/strategies/{strategy:S1.D1}",   "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    row("GET", "/framework/strategies/{strategy:A-local}", "200 200 200 404 200 200 200 200 404 200 200 404 404"),
    row("POST", "/framework/strategies",                   "403 201 403 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", "item": "S1", "stage": "M", "text_zh": "自訂策略"}),
    row("POST", "/framework/strategies",                   "403 422 403 201 403 403 403 403 403 403 403 403 403",
        {"county": "{county:B}", "item": "L2", "stage": "D", "text_zh": "自訂策略"}),
    # --- cycles
    row("GET", "/cycles",                                  "200 200 200 200 200 200 200 200 200 403 403 403 403", prepare="fw"),
    row("GET", "/cycles/{cycle:A}",                        "200 200 200 404 200 200 200 200 404 403 403 403 403"),
    row("GET", "/cycles/{cycle:B}",                        "200 404 404 200 404 404 404 404 200 403 403 403 403"),
    row("POST", "/cycles",                                 "403 201 403 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", "name": "114-2", "opens_on": "2026-02-01", "deadline": "2026-03-01", "schools": "all"}),
    row("POST", "/cycles",                                 "403 422 403 201 403 403 403 403 403 403 403 403 403",
        {"county": "{county:B}", "name": "114-2", "opens_on": "2026-02-01", "deadline": "2026-03-01", "schools": ["{school:B-elem}"]}),
    row("POST", "/cycles",                                 "403 422 403 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", "name": "114-2", "opens_on": "2026-02-01", "deadline": "2026-03-01", "schools": ["{school:B-elem}"]}),
    row("POST", "/cycles/{cycle:A}/sample",                "403 200 200 404 403 403 403 403 404 403 403 403 403",
        {"size": 1}),
    row("POST", "/cycles/{cycle:B}/sample",                "403 404 404 200 404 404 404 404 403 403 403 403 403",
        {"size": 1}),
    row("POST", "/cycles/{cycle:A}/close",                 "403 200 403 404 403 403 403 403 403 403 403 403 403"),
    row("POST", "/cycles/{cycle:B}/close",                 "403 404 403 200 403 403 403 403 403 403 403 403 403"),
    # --- self-assessments: read by staff in scope; filled per can_fill, reviewed per can_review
    row("GET", "/assessments",                             "200 200 200 200 200 200 200 200 200 403 403 403 403", prepare="fw"),
    row("GET", "/assessments/{assessment:A-elem}",         "200 200 200 404 200 404 200 404 404 403 403 403 403"),
    row("GET", "/assessments/{assessment:A-county}",       "200 200 200 404 404 404 404 404 404 403 403 403 403"),
    row("GET", "/assessments/{assessment:B-elem}",         "200 404 404 200 404 404 404 404 200 403 403 403 403"),
    row("GET", "/assessments/{assessment:A-elem}/responses", "200 200 200 404 200 404 200 404 404 403 403 403 403"),
    row("GET", "/assessments/{assessment:B-elem}/responses", "200 404 404 200 404 404 404 404 200 403 403 403 403"),
    row("GET", "/assessments/{assessment:A-elem}/events",  "200 200 200 404 200 404 200 404 404 403 403 403 403"),
    row("GET", "/assessments/{assessment:B-elem}/events",  "200 404 404 200 404 404 404 404 200 403 403 403 403"),
    row("PATCH", "/responses/{response:A-elem}",           "403 200 403 404 200 404 403 404 404 403 403 403 403",
        {"status": "implemented"}),
    row("PATCH", "/responses/{response:A-county}",         "403 200 200 404 404 404 404 404 404 403 403 403 403",
        {"status": "implemented"}),
    row("PATCH", "/responses/{response:B-elem}",           "403 404 404 200 404 404 404 404 403 403 403 403 403",
        {"status": "implemented"}),
    row("POST", "/responses/{response:A-elem}/evidence",   "403 201 403 404 201 404 403 404 404 403 403 403 403",
        {"kind": "link", "url": "https://example.org/plan.pdf"}),
    row("POST", "/responses/{response:B-elem}/evidence",   "403 404 404 201 404 404 404 404 403 403 403 403 403",
        {"kind": "text", "text": "會議紀錄"}),
    row("DELETE", "/evidence/{evidence:A-elem}",           "403 204 403 404 204 404 403 404 404 403 403 403 403"),
    row("DELETE", "/evidence/{evidence:A-county}",         "403 204 204 404 404 404 404 404 404 403 403 403 403"),
    row("DELETE", "/evidence/{evidence:B-elem}",           "403 404 404 204 404 404 404 404 403 403 403 403 403"),
    row("GET", "/evidence/{evidence:A-elem-file}/file",    "200 200 200 404 200 404 200 404 404 403 403 403 403", prepare="files"),
    row("GET", "/evidence/{evidence:A-county-file}/file",  "200 200 200 404 404 404 404 404 404 403 403 403 403", prepare="files"),
    row("GET", "/evidence/{evidence:B-elem-file}/file",    "200 404 404 200 404 404 404 404 200 403 403 403 403", prepare="files"),
    row("GET", "/evidence/{evidence:A-elem}/file",         "404 404 404 404 404 404 404 404 404 403 403 403 403"),  # a text: no file
    row("POST", "/assessments/{assessment:A-elem}/submit", "403 200 403 404 200 404 403 404 404 403 403 403 403", {}),
    row("POST", "/assessments/{assessment:A-county}/submit", "403 200 200 404 404 404 404 404 404 403 403 403 403", {}),
    row("POST", "/assessments/{assessment:B-elem}/submit", "403 404 404 200 404 404 404 404 403 403 403 403 403", {}),
    row("POST", "/assessments/{assessment:A-elem}/comment", "403 201 201 404 403 404 403 404 404 403 403 403 403",
        {"item": "S1", "note": "請補充"}),
    row("POST", "/assessments/{assessment:A-county}/comment", "403 403 403 404 404 404 404 404 404 403 403 403 403",
        {"item": "L1", "note": "請補充"}),
    row("POST", "/assessments/{assessment:B-elem}/comment", "403 404 404 201 404 404 404 404 403 403 403 403 403",
        {"note": "請補充"}),
    row("POST", "/assessments/{assessment:A-elem}/request-changes", "403 200 200 404 403 404 403 404 404 403 403 403 403",
        {"item": "S1", "note": "請補充"}, prepare="submitted"),
    row("POST", "/assessments/{assessment:B-elem}/request-changes", "403 404 404 200 404 404 404 404 403 403 403 403 403",
        {"note": "請補充"}, prepare="submitted"),
    row("POST", "/assessments/{assessment:A-elem}/accept", "403 200 200 404 403 404 403 404 404 403 403 403 403",
        {}, prepare="submitted"),
    row("POST", "/assessments/{assessment:B-elem}/accept", "403 404 404 200 404 404 404 404 403 403 403 403 403",
        {}, prepare="submitted"),
    # --- action plans: read by staff in scope, written by the plan's editors
    row("GET", "/plans",                                   "200 200 200 200 200 200 200 200 200 403 403 403 403", prepare="fw"),
    row("POST", "/plans",                                  "403 201 422 422 201 422 403 403 403 403 403 403 403",
        {"school": "{school:A-elem}", "title": "數位學習三年計畫"}),
    row("POST", "/plans",                                  "403 201 201 422 422 422 403 403 403 403 403 403 403",
        {"county": "{county:A}", "title": "縣市計畫"}),
    row("POST", "/plans",                                  "403 422 422 201 422 422 403 403 403 403 403 403 403",
        {"school": "{school:B-elem}", "title": "數位學習三年計畫"}),
    row("POST", "/assessments/{assessment:A-elem}/plan",   "403 201 403 404 201 404 403 404 404 403 403 403 403", {}),
    row("POST", "/assessments/{assessment:B-elem}/plan",   "403 404 404 201 404 404 404 404 403 403 403 403 403", {}),
    row("GET", "/plans/{fplan:A-elem}",                    "200 200 200 404 200 404 200 404 404 403 403 403 403"),
    row("GET", "/plans/{fplan:A-county}",                  "200 200 200 404 404 404 404 404 404 403 403 403 403"),
    row("GET", "/plans/{fplan:B-elem}",                    "200 404 404 200 404 404 404 404 200 403 403 403 403"),
    row("POST", "/plans/{fplan:A-elem}/goals",             "403 201 403 404 201 404 403 404 404 403 403 403 403",
        {"title": "提升到加速期", "strategies": ["S1.A1"]}),
    row("POST", "/plans/{fplan:A-county}/goals",           "403 201 201 404 404 404 404 404 404 403 403 403 403",
        {"title": "縣市目標", "strategies": ["L1.A1"]}),
    row("POST", "/plans/{fplan:B-elem}/goals",             "403 404 404 201 404 404 404 404 403 403 403 403 403",
        {"title": "提升到加速期"}),
    row("POST", "/goals/{goal:A-elem}/actions",            "403 201 403 404 201 404 403 404 404 403 403 403 403",
        {"title": "教師研習", "budget": 30000, "funding": "school"}),
    row("POST", "/goals/{goal:B-elem}/actions",            "403 404 404 201 404 404 404 404 403 403 403 403 403",
        {"title": "教師研習"}),
    row("PATCH", "/actions/{action:A-elem}",               "403 200 403 404 200 404 403 404 404 403 403 403 403",
        {"status": "done"}),
    row("PATCH", "/actions/{action:B-elem}",               "403 404 404 200 404 404 404 404 403 403 403 403 403",
        {"status": "done"}),
    row("DELETE", "/actions/{action:A-elem}",              "403 204 403 404 204 404 403 404 404 403 403 403 403"),
    row("DELETE", "/actions/{action:B-elem}",              "403 404 404 204 404 404 404 404 403 403 403 403 403"),
    row("DELETE", "/goals/{goal:A-elem}?confirm_actions=1", "403 204 403 404 204 404 403 404 404 403 403 403 403"),
    row("DELETE", "/goals/{goal:B-elem}?confirm_actions=1", "403 404 404 204 404 404 404 404 403 403 403 403 403"),
    # --- good-practice cases: every staff member reads them all; the owner scope writes
    row("GET", "/cases",                                   "200 200 200 200 200 200 200 200 200 403 403 403 403", prepare="fw"),
    row("GET", "/cases/{case:A-elem}",                     "200 200 200 200 200 200 200 200 200 403 403 403 403"),
    row("GET", "/cases/{case:B-elem}",                     "200 200 200 200 200 200 200 200 200 403 403 403 403"),
    row("POST", "/evidence/{evidence:A-elem}/case",        "403 201 403 404 201 404 403 404 404 403 403 403 403",
        {"title": "家長日", "summary": "做法與成效"}),
    row("POST", "/evidence/{evidence:B-elem}/case",        "403 404 404 201 404 404 404 404 403 403 403 403 403",
        {"title": "家長日", "summary": "做法與成效"}),
    row("PATCH", "/cases/{case:A-elem}",                   "403 200 403 403 200 403 403 403 403 403 403 403 403",
        {"title": "家長日（更新）"}),
    row("PATCH", "/cases/{case:B-elem}",                   "403 403 403 200 403 403 403 403 403 403 403 403 403",
        {"title": "家長日（更新）"}),
    row("DELETE", "/cases/{case:A-elem}",                  "403 204 403 403 204 403 403 403 403 403 403 403 403"),
    row("DELETE", "/cases/{case:B-elem}",                  "403 403 403 204 403 403 403 403 403 403 403 403 403"),
    # --- surveys: the bank; questionnaires (managed by the owner's administrators)
    row("GET", "/surveys/bank",                            "200 200 200 200 200 200 200 200 200 403 403 403 403"),
    row("POST", "/surveys/bank",                           "403 201 403 422 201 422 403 403 403 403 403 403 403",
        {"school": "{school:A-elem}", "group": "parents", "kind": "scale5", "text_zh": "新題目"}),
    row("POST", "/surveys/bank",                           "403 201 403 422 422 422 403 403 403 403 403 403 403",
        {"county": "{county:A}", "group": "teachers", "kind": "scale5", "text_zh": "新題目"}),
    row("GET", "/surveys/questionnaires",                  "200 200 200 200 200 200 200 200 200 403 403 403 403", prepare="surveys"),
    row("POST", "/surveys/questionnaires",                 "403 201 403 422 201 422 403 403 403 403 403 403 403",
        {"school": "{school:A-elem}", "title_zh": "教師問卷"}),
    row("POST", "/surveys/questionnaires",                 "403 422 403 201 422 422 403 403 403 403 403 403 403",
        {"school": "{school:B-elem}", "title_zh": "教師問卷"}),
    row("POST", "/surveys/questionnaires/from-bank",       "403 201 403 422 422 422 403 403 403 403 403 403 403",
        {"county": "{county:A}", "group": "teachers", "items": ["S1"], "title_zh": "縣市問卷"}),
    row("GET", "/surveys/questionnaires/{qn:A-elem}",      "200 200 200 404 200 404 200 404 404 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/questionnaires/{qn:A-county}",    "200 200 200 404 404 404 404 404 404 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/questionnaires/{qn:B-elem}",      "200 404 404 200 404 404 404 404 200 403 403 403 403", prepare="surveys"),
    row("PATCH", "/surveys/questionnaires/{qn:A-elem}",    "403 200 403 404 200 404 403 403 403 403 403 403 403",
        {"title_en": "Teachers"}, prepare="surveys"),
    row("PATCH", "/surveys/questionnaires/{qn:B-elem}",    "403 404 403 200 404 404 403 403 403 403 403 403 403",
        {"title_en": "Teachers"}, prepare="surveys"),
    row("POST", "/surveys/questionnaires/{qn:A-elem}/archive","403 200 403 404 200 404 403 403 403 403 403 403 403", prepare="surveys"),
    row("POST", "/surveys/questionnaires/{qn:A-elem}/copy","403 201 403 404 201 404 403 403 403 403 403 403 403",
        {}, prepare="surveys"),
    row("POST", "/surveys/questionnaires/{qn:A-elem}/sections","403 201 403 404 201 404 403 403 403 403 403 403 403",
        {"title_zh": "第三部分"}, prepare="surveys"),
    row("PATCH", "/surveys/sections/{section:A-elem}",     "403 200 403 404 200 404 403 403 403 403 403 403 403",
        {"title_zh": "第一部分"}, prepare="surveys", in_place=True),
    row("PATCH", "/surveys/sections/{section:B-elem}",     "403 404 403 200 404 404 403 403 403 403 403 403 403",
        {"title_zh": "第一部分"}, prepare="surveys", in_place=True),
    row("DELETE", "/surveys/sections/{section:A-elem-2}",  "403 204 403 404 204 404 403 403 403 403 403 403 403", prepare="surveys"),
    row("POST", "/surveys/sections/{section:A-elem-2}/move","403 200 403 404 200 404 403 403 403 403 403 403 403",
        {"direction": "up"}, prepare="surveys", in_place=True),
    row("POST", "/surveys/sections/{section:A-elem}/questions","403 201 403 404 201 404 403 403 403 403 403 403 403",
        {"kind": "long_text", "text_zh": "其他意見"}, prepare="surveys"),
    row("POST", "/surveys/sections/{section:A-elem}/questions/from-bank","403 201 403 404 201 404 403 403 403 403 403 403 403",
        {"bank": ["{bank:builtin}"]}, prepare="surveys"),
    row("PATCH", "/surveys/questions/{question:A-elem}",   "403 200 403 404 200 404 403 403 403 403 403 403 403",
        {"text_en": "I like school"}, prepare="surveys", in_place=True),
    row("DELETE", "/surveys/questions/{question:A-elem}",  "403 204 403 404 204 404 403 403 403 403 403 403 403", prepare="surveys"),
    row("POST", "/surveys/questions/{question:A-elem}/move","403 200 403 404 200 404 403 403 403 403 403 403 403",
        {"direction": "down"}, prepare="surveys", in_place=True),
    # --- surveys: runs (read by staff in scope; managed by the owner's administrators), codes, invitations
    row("GET", "/surveys/runs",                            "200 200 200 200 200 200 200 200 200 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{srun:A-elem}",              "200 200 200 404 200 404 200 404 404 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{srun:A-county}",            "200 200 200 404 404 404 404 404 404 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{srun:B-elem}",              "200 404 404 200 404 404 404 404 200 403 403 403 403", prepare="surveys"),
    row("POST", "/surveys/runs",                           "403 201 403 422 201 422 403 403 403 403 403 403 403",
        {"school": "{school:A-elem}", "title": "教師問卷", "mode": "anonymous", "opens_at": "2026-01-01T08:00:00", "closes_at": "2099-01-01T08:00:00", "parts": {"teachers": "{qn:A-elem}"}}, prepare="surveys"),
    row("POST", "/surveys/runs",                           "403 201 403 422 422 422 403 403 403 403 403 403 403",
        {"county": "{county:A}", "title": "縣市問卷", "mode": "named", "opens_at": "2026-01-01T08:00:00", "closes_at": "2099-01-01T08:00:00", "parts": {"teachers": "{qn:A-county}"}, "schools": ["{school:A-elem}"]}, prepare="surveys"),
    row("POST", "/surveys/runs",                           "403 422 403 201 422 422 403 403 403 403 403 403 403",
        {"school": "{school:B-elem}", "title": "教師問卷", "mode": "anonymous", "opens_at": "2026-01-01T08:00:00", "closes_at": "2099-01-01T08:00:00", "parts": {"teachers": "{qn:B-elem}"}}, prepare="surveys"),
    row("POST", "/surveys/runs/{srun:A-elem-draft}/open",  "403 200 403 404 200 404 403 403 403 403 403 403 403", prepare="surveys"),
    row("POST", "/surveys/runs/{srun:B-elem-draft}/open",  "403 404 403 200 404 404 403 403 403 403 403 403 403", prepare="surveys"),
    row("POST", "/surveys/runs/{srun:A-elem}/close",       "403 200 403 404 200 404 403 403 403 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{srun:A-elem}/progress",     "200 200 200 404 200 404 403 404 404 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{srun:B-elem}/progress",     "200 404 404 200 404 404 404 404 403 403 403 403 403", prepare="surveys"),
    row("POST", "/surveys/runs/{srun:A-elem}/codes",       "403 201 403 404 201 404 403 403 403 403 403 403 403",
        {"group": "teachers", "count": 2}, prepare="surveys"),
    row("POST", "/surveys/runs/{srun:A-county}/codes",     "403 201 403 404 404 404 403 403 403 403 403 403 403",
        {"group": "teachers", "school": "{school:A-junior}", "count": 2}, prepare="surveys"),
    row("GET", "/surveys/runs/{srun:A-elem}/codes",        "403 200 403 404 200 404 403 404 404 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{srun:B-elem}/codes",        "403 404 404 200 404 404 404 404 403 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{nrun:A-elem}/invitations",  "403 200 403 404 200 404 403 404 404 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{nrun:B-elem}/invitations",  "403 404 404 200 404 404 404 404 403 403 403 403 403", prepare="surveys"),
    row("POST", "/surveys/runs/{nrun:A-elem}/invitations", "403 201 403 404 201 404 403 403 403 403 403 403 403",
        {"group": "parents", "people": ["{person:elem_teacher}"]}, prepare="surveys"),
    row("POST", "/surveys/runs/{nrun:A-elem}/remind",      "403 200 403 404 200 404 403 403 403 403 403 403 403", prepare="surveys"),
    # --- surveys: results (the owner's administrators, county staff, MOE; never teachers), named answers (managers)
    row("GET", "/surveys/runs/{srun:A-elem}/results",      "200 200 200 404 200 404 403 404 404 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{srun:A-county}/results",    "200 200 200 404 404 404 404 404 404 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{srun:B-elem}/results",      "200 404 404 200 404 404 404 404 403 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{srun:A-county}/results/schools","200 200 200 404 404 404 404 404 404 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{nrun:A-elem}/answers",      "403 200 403 404 200 404 403 404 404 403 403 403 403", prepare="surveys"),
    row("GET", "/surveys/runs/{nrun:B-elem}/answers",      "403 404 404 200 404 404 404 404 403 403 403 403 403", prepare="surveys"),
    # --- surveys: answering with a code (no authentication; the caller is ignored), my invitations (the invitee only)
    row("GET", "/surveys/answer/{acode:A-elem}",           "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="surveys"),
    row("POST", "/surveys/answer",                         "201 201 201 201 201 201 201 201 201 201 201 201 201",
        {"code": "{acode:A-county}", "answers": {"Q1": 4}}, prepare="surveys"),
    row("POST", "/surveys/answer",                         "422 422 422 422 422 422 422 422 422 422 422 422 422",
        {"code": "NOPE2345", "answers": {"Q1": 4}}, prepare="surveys"),
    row("GET", "/surveys/invitations",                     "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="surveys"),
    row("GET", "/surveys/invitations/{inv:A-elem}",        "404 404 404 404 404 404 404 404 404 404 200 404 404", prepare="surveys"),
    row("GET", "/surveys/invitations/{inv:B-elem}",        "404 404 404 404 404 404 404 404 404 404 404 200 404", prepare="surveys"),
    row("PUT", "/surveys/invitations/{inv:A-elem}/answers","404 404 404 404 404 404 404 404 404 404 200 404 404",
        {"answers": {"Q1": 3}}, prepare="surveys"),
    row("PUT", "/surveys/invitations/{inv:B-elem}/answers","404 404 404 404 404 404 404 404 404 404 404 200 404",
        {"answers": {"Q1": 3}}, prepare="surveys"),
    # --- learning analytics: a teacher's class view (homeroom teacher, school administrators; not county staff)
    row("GET", "/analytics/classes",                       "200 200 200 200 200 200 200 200 200 403 403 403 403", prepare="learning"),
    row("GET", "/analytics/classes/{class:A-elem}?period=term", "404 404 404 404 200 404 200 404 404 404 404 404 404", prepare="learning"),
    row("GET", "/analytics/classes/{class:A-junior}",      "404 404 404 404 404 200 404 200 404 404 404 404 404"),
    row("GET", "/analytics/classes/{class:B-elem}?period=term", "404 404 404 404 404 404 404 404 200 404 404 404 404", prepare="learning"),
    # --- one student's learning: self, parents, homeroom teacher and school administrators by name, county staff pseudonymous
    row("GET", "/analytics/students/{person:elem_student}?week=2025-10-06", "404 200 200 404 200 404 200 404 404 200 200 404 404", prepare="learning"),
    row("GET", "/analytics/students/{person:elem_student2}?week=2025-10-06", "404 200 200 404 200 404 200 404 404 404 404 404 404", prepare="learning"),
    row("GET", "/analytics/students/{person:b_student}?week=2025-10-06", "404 404 404 200 404 404 404 404 200 404 404 200 404", prepare="learning"),
    row("GET", "/analytics/students/{person:elem_teacher}", "404 404 404 404 404 404 200 404 404 404 404 404 404"),  # not a student: only themselves
    # --- overviews: a school (its staff, its county, MOE), a county and its programmes (the county's staff, MOE)
    row("GET", "/analytics/schools/{school:A-elem}/overview?" + WEEKS, "200 200 200 404 200 404 200 404 404 403 403 403 403", prepare="learning"),
    row("GET", "/analytics/schools/{school:A-junior}/overview?" + WEEKS, "200 200 200 404 404 200 404 200 404 403 403 403 403", prepare="learning"),
    row("GET", "/analytics/schools/{school:B-elem}/overview?" + WEEKS, "200 404 404 200 404 404 404 404 200 403 403 403 403", prepare="learning"),
    row("GET", "/analytics/counties/{county:A}/overview?" + WEEKS, "200 200 200 404 403 403 403 403 403 403 403 403 403", prepare="learning"),
    row("GET", "/analytics/counties/{county:B}/overview?" + WEEKS, "200 404 404 200 403 403 403 403 403 403 403 403 403", prepare="learning"),
    row("GET", "/analytics/counties/{county:A}/programmes/{programme:learning_support}?" + WEEKS, "200 200 200 404 403 403 403 403 403 403 403 403 403", prepare="learning"),
    row("GET", "/analytics/counties/{county:B}/programmes/{programme:digital_companion}", "200 404 404 200 403 403 403 403 403 403 403 403 403"),
    row("GET", "/analytics/counties/{county:A}/programmes/{programme:nothing}", "422 422 422 404 403 403 403 403 403 403 403 403 403"),
    # --- learning platforms: county administrators manage their county's, county staff and MOE read, school roles 403
    row("GET", "/analytics/platforms",                     "200 200 200 200 403 403 403 403 403 403 403 403 403", prepare="platforms"),
    row("POST", "/analytics/platforms",                    "403 201 403 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", **PLATFORM}),
    row("POST", "/analytics/platforms",                    "403 422 403 201 403 403 403 403 403 403 403 403 403",
        {"county": "{county:B}", **PLATFORM}),
    row("GET", "/analytics/platforms/{platform:A}",        "200 200 200 404 403 403 403 403 403 403 403 403 403", prepare="learning"),
    row("GET", "/analytics/platforms/{platform:B}",        "200 404 404 200 403 403 403 403 403 403 403 403 403"),
    row("PATCH", "/analytics/platforms/{platform:A}",      "403 200 403 404 403 403 403 403 403 403 403 403 403",
        {"retention_days": 365}),
    row("PATCH", "/analytics/platforms/{platform:B}",      "403 404 404 200 403 403 403 403 403 403 403 403 403",
        {"retention_days": 365}),
    row("POST", "/analytics/platforms/{platform:A}/deactivate", "403 200 403 404 403 403 403 403 403 403 403 403 403"),
    row("POST", "/analytics/platforms/{platform:B}/deactivate", "403 404 404 200 403 403 403 403 403 403 403 403 403"),
    row("POST", "/analytics/platforms/{platform:A-off}/reactivate", "403 200 403 404 403 403 403 403 403 403 403 403 403"),
    row("POST", "/analytics/platforms/{platform:B-off}/reactivate", "403 404 404 200 403 403 403 403 403 403 403 403 403"),
    row("POST", "/analytics/platforms/{platform:A}/credential", "403 201 403 404 403 403 403 403 403 403 403 403 403"),
    row("POST", "/analytics/platforms/{platform:B}/credential", "403 404 404 201 403 403 403 403 403 403 403 403 403"),
    row("POST", "/analytics/platforms/{platform:A-off}/credential", "403 422 403 404 403 403 403 403 403 403 403 403 403"),  # deactivated
    # --- file mappings (a mapping under another county's platform is a 404 too) and file imports
    row("GET", "/analytics/platforms/{platform:A}/mappings", "200 200 200 404 403 403 403 403 403 403 403 403 403"),
    row("GET", "/analytics/platforms/{platform:B}/mappings", "200 404 404 200 403 403 403 403 403 403 403 403 403"),
    row("POST", "/analytics/platforms/{platform:A}/mappings", "403 201 403 404 403 403 403 403 403 403 403 403 403", MAPPING),
    row("POST", "/analytics/platforms/{platform:B}/mappings", "403 404 404 201 403 403 403 403 403 403 403 403 403", MAPPING),
    row("GET", "/analytics/platforms/{platform:A}/mappings/{mapping:A}", "200 200 200 404 403 403 403 403 403 403 403 403 403"),
    row("GET", "/analytics/platforms/{platform:B}/mappings/{mapping:B}", "200 404 404 200 403 403 403 403 403 403 403 403 403"),
    row("GET", "/analytics/platforms/{platform:A}/mappings/{mapping:B}", "404 404 404 404 403 403 403 403 403 403 403 403 403"),
    row("PATCH", "/analytics/platforms/{platform:A}/mappings/{mapping:A}", "403 200 403 404 403 403 403 403 403 403 403 403 403",
        {"name": "新名稱"}),
    row("PATCH", "/analytics/platforms/{platform:B}/mappings/{mapping:B}", "403 404 404 200 403 403 403 403 403 403 403 403 403",
        {"name": "新名稱"}),
    row("PATCH", "/analytics/platforms/{platform:B}/mappings/{mapping:A}", "403 404 404 404 403 403 403 403 403 403 403 403 403",
        {"name": "新名稱"}),
    row("DELETE", "/analytics/platforms/{platform:A}/mappings/{mapping:A}", "403 204 403 404 403 403 403 403 403 403 403 403 403"),
    row("DELETE", "/analytics/platforms/{platform:B}/mappings/{mapping:B}", "403 404 404 204 403 403 403 403 403 403 403 403 403"),
    row("POST", "/analytics/platforms/{platform:A}/mappings/{mapping:A}/preview", "403 200 403 404 403 403 403 403 403 403 403 403 403",
        upload="good", reads=True),
    row("POST", "/analytics/platforms/{platform:B}/mappings/{mapping:B}/preview", "403 404 404 200 403 403 403 403 403 403 403 403 403",
        upload="bad", reads=True),
    row("POST", "/analytics/platforms/{platform:A}/mappings/{mapping:A}/import", "403 202 403 404 403 403 403 403 403 403 403 403 403",
        upload="good"),
    row("POST", "/analytics/platforms/{platform:B}/mappings/{mapping:B}/import", "403 404 404 202 403 403 403 403 403 403 403 403 403",
        upload="good"),
    row("POST", "/analytics/platforms/{platform:A}/mappings/{mapping:A}/import", "403 422 403 404 403 403 403 403 403 403 403 403 403",
        NOT_PREVIEWED, upload="good"),
    row("POST", "/analytics/platforms/{platform:A-off}/mappings/{mapping:A}/import", "403 404 403 404 403 403 403 403 403 403 403 403 403",
        upload="good"),  # the mapping is platform A's
    # --- file imports (queued for the worker): their status, and a retry of a failed one
    row("GET", "/analytics/platforms/{platform:A}/imports/{import:A}", "403 200 403 404 403 403 403 403 403 403 403 403 403"),
    row("GET", "/analytics/platforms/{platform:B}/imports/{import:B}", "403 404 404 200 403 403 403 403 403 403 403 403 403"),
    row("GET", "/analytics/platforms/{platform:A}/imports/{import:B}", "403 404 403 404 403 403 403 403 403 403 403 403 403"),
    row("POST", "/analytics/platforms/{platform:A}/imports/{import:A}/retry", "403 202 403 404 403 403 403 403 403 403 403 403 403"),
    row("POST", "/analytics/platforms/{platform:B}/imports/{import:B}/retry", "403 404 404 202 403 403 403 403 403 403 403 403 403"),
    # --- the DTSS xAPI profile: any signed-in user
    row("GET", "/analytics/xapi-profile",                  "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    # --- prediction (issue 7): a class's risks for its teacher and school admins; one student's for them
    # by name and county staff under a pseudonym (students, parents: 404); the intervention log's
    # writes for the teacher and school admins, changes for the author or a school admin
    row("GET", "/predict/classes/{class:A-elem}/risks",    "404 404 404 404 200 404 200 404 404 404 404 404 404", prepare="predict"),
    row("GET", "/predict/classes/{class:B-elem}/risks",    "404 404 404 404 404 404 404 404 200 404 404 404 404", prepare="predict"),
    row("GET", "/predict/students/{person:elem_student}/risks", "404 200 200 404 200 404 200 404 404 404 404 404 404", prepare="predict"),
    row("GET", "/predict/students/{person:b_student}/risks", "404 404 404 200 404 404 404 404 200 404 404 404 404", prepare="predict"),
    row("GET", "/predict/students/{person:elem_student}/interventions", "404 200 200 404 200 404 200 404 404 404 404 404 404", prepare="predict"),
    row("GET", "/predict/students/{person:b_student}/interventions", "404 404 404 200 404 404 404 404 200 404 404 404 404", prepare="predict"),
    row("POST", "/predict/students/{person:elem_student}/interventions", "404 403 403 404 201 404 201 404 404 404 404 404 404",
        {"date": str(TODAY), "kind": "parent", "note": "電話聯絡"}, prepare="predict"),
    row("POST", "/predict/students/{person:b_student}/interventions", "404 404 404 403 404 404 404 404 201 404 404 404 404",
        {"date": str(TODAY), "kind": "remedial"}, prepare="predict"),
    row("POST", "/predict/students/{person:elem_student}/interventions", "404 403 403 404 422 404 422 404 404 404 404 404 404",
        {"date": str(TODAY + timedelta(days=2)), "kind": "nope"}, prepare="predict"),
    row("PATCH", "/predict/interventions/{iv:A}",          "404 404 404 404 200 404 200 404 404 404 404 404 404",
        {"note": "改了"}, prepare="predict"),
    row("PATCH", "/predict/interventions/{iv:B}",          "404 404 404 404 404 404 404 404 200 404 404 404 404",
        {"kind": "peer"}, prepare="predict"),
    row("PATCH", "/predict/interventions/{iv:A}",          "404 404 404 404 422 404 422 404 404 404 404 404 404",
        {"kind": "nope"}, prepare="predict"),
    row("DELETE", "/predict/interventions/{iv:A}",         "404 404 404 404 204 404 204 404 404 404 404 404 404", prepare="predict"),
    row("DELETE", "/predict/interventions/{iv:B}",         "404 404 404 404 404 404 404 404 204 404 404 404 404", prepare="predict"),
    row("GET", "/predict/models",                          "200 200 200 200 403 403 403 403 403 403 403 403 403", prepare="predict"),
    row("GET", "/predict/models/{version:A}",              "200 200 200 404 403 403 403 403 403 403 403 403 403", prepare="predict"),
    row("GET", "/predict/models/{version:B}",              "200 404 404 200 403 403 403 403 403 403 403 403 403", prepare="predict"),
    # --- devices (issue 8): the register. School staff read their school's, the county office (a_admin, a_staff) the
    # county's, MOE every one; students and parents the devices they (their children) hold. Changes: the school's
    # administrators and the county office; a device, school or person named in a body outside that scope: 422
    row("GET", "/devices",                                 "200 200 200 200 200 200 200 200 200 200 200 200 403", prepare="devices"),
    row("POST", "/devices",                                "403 201 201 422 201 422 403 403 403 403 403 403 403",
        {"school": "{school:A-elem}", "kind": "tablet", "asset_tag": "NEW-1"}),
    row("POST", "/devices",                                "403 422 422 201 422 422 403 403 403 403 403 403 403",
        {"school": "{school:B-elem}", "kind": "tablet", "asset_tag": "NEW-1"}),
    row("POST", "/devices",                                "403 201 201 201 422 422 403 403 403 403 403 403 403",
        {"school": None, "kind": "projector", "asset_tag": "STOCK-1"}),  # the county's own stock
    row("POST", "/devices",                                "403 201 201 422 201 422 403 403 403 403 403 403 403",
        {"school": "{school:A-elem}", "byod_student": "{person:elem_student}", "kind": "tablet", "asset_tag": "BYOD-1"}),
    row("POST", "/devices",                                "403 422 422 422 422 422 403 403 403 403 403 403 403",
        {"school": "{school:A-elem}", "byod_student": "{person:b_student}", "kind": "tablet", "asset_tag": "BYOD-1"}),
    row("GET", "/devices/{device:A}",                      "200 200 200 404 200 404 200 404 404 404 404 404 404", prepare="devices"),
    row("GET", "/devices/{device:A-junior}",               "200 200 200 404 404 200 404 200 404 404 404 404 404", prepare="devices"),
    row("GET", "/devices/{device:B}",                      "200 404 404 200 404 404 404 404 200 404 404 404 404", prepare="devices"),
    row("GET", "/devices/{device:A-held}",                 "200 200 200 404 200 404 200 404 404 200 200 404 404", prepare="devices"),
    row("PATCH", "/devices/{device:A}",                    "403 200 200 404 200 404 403 404 404 404 404 404 404",
        {"location": "電腦教室"}, prepare="devices"),
    row("PATCH", "/devices/{device:A-junior}",             "403 200 200 404 404 200 404 403 404 404 404 404 404",
        {"location": "電腦教室"}, prepare="devices"),
    row("PATCH", "/devices/{device:B}",                    "403 404 404 200 404 404 404 404 403 404 404 404 404",
        {"location": "電腦教室"}, prepare="devices"),
    row("PATCH", "/devices/{device:A-held}",               "403 200 200 404 200 404 403 404 404 403 403 404 404",
        {"notes": "螢幕刮傷"}, prepare="devices"),
    row("POST", "/devices/{device:A}/status",              "403 200 200 404 200 404 403 404 404 404 404 404 404",
        {"status": "in_repair"}, prepare="devices"),
    row("POST", "/devices/{device:B}/status",              "403 404 404 200 404 404 404 404 403 404 404 404 404",
        {"status": "lost"}, prepare="devices"),
    row("POST", "/devices/{device:A}/status",              "403 422 422 404 422 404 403 404 404 404 404 404 404",
        {"status": "on_loan"}, prepare="devices"),  # follows the loans
    row("POST", "/devices/{device:A}/transfer",            "403 200 200 404 422 404 403 404 404 404 404 404 404",
        {"school": "{school:A-junior}"}, prepare="devices"),
    row("POST", "/devices/{device:A}/transfer",            "403 200 200 404 422 404 403 404 404 404 404 404 404",
        {"school": None}, prepare="devices"),  # to the county's stock
    row("POST", "/devices/{device:A}/transfer",            "403 422 422 404 422 404 403 404 404 404 404 404 404",
        {"school": "{school:B-elem}"}, prepare="devices"),
    row("POST", "/devices/{device:B}/transfer",            "403 404 404 200 404 404 404 404 403 404 404 404 404",
        {"school": None}, prepare="devices"),
    row("GET", "/devices/{device:A}/events",               "200 200 200 404 200 404 200 404 404 404 404 404 404", prepare="devices"),
    row("GET", "/devices/{device:A-held}/events",          "200 200 200 404 200 404 200 404 404 403 403 404 404", prepare="devices"),
    row("GET", "/devices/{device:B}/events",               "200 404 404 200 404 404 404 404 200 404 404 404 404", prepare="devices"),
    # --- devices: software licences (staff only; school staff also read the county-wide ones) and their seats
    row("GET", "/licences",                                "200 200 200 200 200 200 200 200 200 403 403 403 403", prepare="devices"),
    row("POST", "/licences",                               "403 201 201 422 201 422 403 403 403 403 403 403 403",
        {"school": "{school:A-elem}", "name": "Office", "seats": 30}),
    row("POST", "/licences",                               "403 422 422 201 422 422 403 403 403 403 403 403 403",
        {"school": "{school:B-elem}", "name": "Office", "seats": 30}),
    row("POST", "/licences",                               "403 201 201 201 422 422 403 403 403 403 403 403 403",
        {"school": None, "name": "縣網授權", "seats": 300}),
    row("GET", "/licences/{licence:A}",                    "200 200 200 404 200 404 200 404 404 403 403 403 403", prepare="devices"),
    row("GET", "/licences/{licence:A-county}",             "200 200 200 404 200 200 200 200 404 403 403 403 403", prepare="devices"),
    row("GET", "/licences/{licence:B}",                    "200 404 404 200 404 404 404 404 200 403 403 403 403", prepare="devices"),
    row("PATCH", "/licences/{licence:A}",                  "403 200 200 404 200 404 403 404 404 403 403 403 403",
        {"seats": 12}, prepare="devices"),
    row("PATCH", "/licences/{licence:A-county}",           "403 200 200 404 403 403 403 403 404 403 403 403 403",
        {"seats": 60}, prepare="devices"),
    row("PATCH", "/licences/{licence:B}",                  "403 404 404 200 404 404 404 404 403 403 403 403 403",
        {"seats": 12}, prepare="devices"),
    row("PATCH", "/licences/{licence:A}",                  "403 422 422 404 422 404 403 404 404 403 403 403 403",
        {"seats": 0}, prepare="devices"),  # below the seats in use
    row("POST", "/licences/{licence:A}/seats",             "403 201 201 404 201 404 403 404 404 403 403 403 403",
        {"person": "{person:elem_student2}"}, prepare="devices"),
    row("POST", "/licences/{licence:B}/seats",             "403 404 404 201 404 404 404 404 403 403 403 403 403",
        {"device": "{device:B}"}, prepare="devices"),
    row("POST", "/licences/{licence:A}/seats",             "403 422 422 404 422 404 403 404 404 403 403 403 403",
        {"person": "{person:b_student}"}, prepare="devices"),
    row("POST", "/licences/{licence:A}/seats",             "403 422 422 404 422 404 403 404 404 403 403 403 403",
        {"device": "{device:A-junior}"}, prepare="devices"),  # another school's device
    row("DELETE", "/seats/{seat:A}",                       "403 204 204 404 204 404 403 404 404 403 403 403 403", prepare="devices"),
    row("DELETE", "/seats/{seat:B}",                       "403 404 404 204 404 404 404 404 403 403 403 403 403", prepare="devices"),
    # --- devices: imports of the register (queued for the worker), for the school's administrators and the county office
    row("POST", "/device-imports",                         "403 202 202 422 202 422 403 403 403 403 403 403 403",
        {"source": "register", "school": "{school:A-elem}"}, upload="register"),
    row("POST", "/device-imports",                         "403 422 422 202 422 422 403 403 403 403 403 403 403",
        {"source": "register", "school": "{school:B-elem}"}, upload="register"),
    row("POST", "/device-imports",                         "403 202 202 202 422 422 403 403 403 403 403 403 403",
        {"source": "register"}, upload="register"),  # no school: the caller's county
    row("POST", "/device-imports",                         "403 422 422 202 422 422 403 403 403 403 403 403 403",
        {"source": "register", "county": "{county:B}"}, upload="register"),
    row("GET", "/device-imports",                          "403 200 200 200 200 200 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/device-imports/{dimport:A}",              "403 200 200 404 200 404 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/device-imports/{dimport:B}",              "403 404 404 200 404 404 403 403 403 403 403 403 403", prepare="devices"),
    # --- devices: assignments and take-home loans (read like the register, the family their own; a parent signs)
    row("GET", "/assignments",                             "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="devices"),
    row("POST", "/assignments",                            "403 201 201 422 201 422 403 403 403 403 403 403 403",
        {"kind": "loan", "device": "{device:A}", "person": "{person:elem_student2}", "due_on": DUE}, prepare="devices"),
    row("POST", "/assignments",                            "403 422 422 201 422 422 403 403 403 403 403 403 403",
        {"kind": "loan", "device": "{device:B}", "person": "{person:b_student}", "due_on": DUE}, prepare="devices"),
    row("POST", "/assignments",                            "403 201 201 422 422 201 403 403 403 403 403 403 403",
        {"kind": "assign", "device": "{device:A-junior}", "person": "{person:junior_teacher}"}, prepare="devices"),
    row("POST", "/assignments",                            "403 422 422 422 422 422 403 403 403 403 403 403 403",
        {"kind": "loan", "device": "{device:A}", "person": "{person:b_student}", "due_on": DUE}, prepare="devices"),
    row("POST", "/assignments",                            "403 422 422 422 422 422 403 403 403 403 403 403 403",
        {"kind": "assign", "device": "{device:A}", "school_class": "{class:A-junior}"}, prepare="devices"),  # another school's class
    row("GET", "/assignments/{loan:A}",                    "200 200 200 404 200 404 200 404 404 200 200 404 404", prepare="devices"),
    row("GET", "/assignments/{loan:B}",                    "200 404 404 200 404 404 404 404 200 404 404 200 404", prepare="devices"),
    row("POST", "/assignments/{loan:A}/sign",              "403 403 403 404 403 404 403 404 404 403 200 404 404",
        {"signed_name": "elem_parent", "agree": True}, prepare="devices"),
    row("POST", "/assignments/{loan:B}/sign",              "403 404 404 403 404 404 404 404 403 404 404 200 404",
        {"signed_name": "b_parent", "agree": True}, prepare="devices"),
    row("POST", "/assignments/{loan:A}/sign",              "403 403 403 404 403 404 403 404 404 403 422 404 404",
        {"signed_name": "someone", "agree": True}, prepare="devices"),
    row("POST", "/assignments/{loan:A}/sign-on-paper",     "403 200 200 404 200 404 403 404 404 403 403 404 404",
        {"signed_name": "elem_parent"}, prepare="devices"),
    row("POST", "/assignments/{loan:B}/sign-on-paper",     "403 404 404 200 404 404 404 404 403 404 404 403 404",
        {"signed_name": "b_parent"}, prepare="devices"),
    row("POST", "/assignments/{loan:A-active}/recall",     "403 200 200 404 200 404 403 404 404 403 403 404 404",
        {"reason": "檢查", "return_by": DUE}, prepare="devices"),
    row("POST", "/assignments/{loan:B-active}/recall",     "403 404 404 200 404 404 404 404 403 404 404 403 404",
        {"reason": "檢查", "return_by": DUE}, prepare="devices"),
    row("POST", "/assignments/{loan:A}/recall",            "403 422 422 404 422 404 403 404 404 403 403 404 404",
        {"reason": "檢查", "return_by": DUE}, prepare="devices"),  # not signed yet
    row("POST", "/assignments/{assign:A}/return",          "403 200 200 404 200 404 403 404 404 403 403 404 404",
        {"condition_in": "良好"}, prepare="devices"),
    row("POST", "/assignments/{loan:B-active}/return",     "403 404 404 200 404 404 404 404 403 404 404 403 404",
        {"condition_in": "良好"}, prepare="devices"),
    row("POST", "/assignments/{loan:A}/cancel",            "403 200 200 404 200 404 403 404 404 403 403 404 404",
        {"reason": "改期"}, prepare="devices"),
    row("POST", "/assignments/{loan:B}/cancel",            "403 404 404 200 404 404 404 404 403 404 404 403 404",
        {}, prepare="devices"),
    row("POST", "/devices/{device:A-held}/loaner",         "403 201 201 404 201 404 403 404 404 403 403 404 404",
        {"loaner": "{device:A}"}, prepare="devices"),
    row("POST", "/devices/{device:B-loaned}/loaner",       "403 404 404 201 404 404 404 404 403 404 404 403 404",
        {"loaner": "{device:B}"}, prepare="devices"),
    row("POST", "/devices/{device:A-held}/loaner",         "403 422 422 404 422 404 403 404 404 403 403 404 404",
        {"loaner": "{device:A-junior}"}, prepare="devices"),  # another school's
    # --- devices: loan requests (a parent, the student, the school's staff or the county office ask), the priority
    # queue and support records (equity: the school's administrators and the county office only; a parent sets home access)
    row("GET", "/loan-requests",                           "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="devices"),
    row("POST", "/loan-requests",                          "403 201 201 422 201 422 201 422 422 201 201 422 403",
        {"student": "{person:elem_student}", "need": "device"}),
    row("POST", "/loan-requests",                          "403 422 422 201 422 422 422 422 201 422 422 201 403",
        {"student": "{person:b_student}", "need": "both"}),
    row("POST", "/loan-requests/{lreq:A}/decline",         "403 200 200 404 200 404 403 404 404 403 403 404 404",
        {"note": "已有載具"}, prepare="devices"),
    row("POST", "/loan-requests/{lreq:B}/decline",         "403 404 404 200 404 404 404 404 403 404 404 403 404",
        {"note": "已有載具"}, prepare="devices"),
    row("GET", "/loan-queue?school={school:A-elem}",       "403 200 200 404 200 404 403 404 404 403 403 403 403", prepare="devices"),
    row("GET", "/loan-queue?school={school:A-junior}",     "403 200 200 404 404 200 404 403 404 403 403 403 403", prepare="devices"),
    row("GET", "/loan-queue?school={school:B-elem}",       "403 404 404 200 404 404 404 404 403 403 403 403 403", prepare="devices"),
    row("GET", "/student-support",                         "403 200 200 200 200 200 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/student-support?school={school:A-elem}",  "403 200 200 404 200 404 403 403 403 403 403 403 403", prepare="devices"),
    row("PUT", "/student-support/{student:A}",             "403 200 200 404 200 404 403 404 404 403 403 404 404",
        {"low_income": True}, prepare="devices"),
    row("PUT", "/student-support/{student:A}",             "403 200 200 404 200 404 403 404 404 403 200 404 404",
        {"device_at_home": "yes"}, prepare="devices"),
    row("PUT", "/student-support/{student:B}",             "403 404 404 200 404 404 404 404 403 404 404 403 404",
        {"low_income": True}, prepare="devices"),
    row("PUT", "/student-support/{student:B}",             "403 404 404 200 404 404 404 404 403 404 404 200 404",
        {"internet_at_home": "yes"}, prepare="devices"),
    # --- devices: needs collections (the county office runs them; a school's administrators fill their school's)
    row("GET", "/needs-collections",                       "200 200 200 200 200 200 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/needs-collections",                      "403 201 201 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", "title": "需求調查", "opens_on": str(TODAY), "closes_on": DUE}),
    row("POST", "/needs-collections",                      "403 422 422 201 403 403 403 403 403 403 403 403 403",
        {"county": "{county:B}", "title": "需求調查", "opens_on": str(TODAY), "closes_on": DUE}),
    row("GET", "/needs-collections/{coll:A}",              "200 200 200 404 200 200 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/needs-collections/{coll:A-draft}",        "200 200 200 404 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/needs-collections/{coll:B}",              "200 404 404 200 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("PATCH", "/needs-collections/{coll:A}",            "403 200 200 404 403 403 403 403 403 403 403 403 403",
        {"title": "115 需求調查"}, prepare="devices"),
    row("PATCH", "/needs-collections/{coll:B}",            "403 404 404 200 404 404 403 403 403 403 403 403 403",
        {"title": "115 需求調查"}, prepare="devices"),
    row("PATCH", "/needs-collections/{coll:A}",            "403 422 422 404 403 403 403 403 403 403 403 403 403",
        {"kinds": ["toaster"]}, prepare="devices"),
    row("POST", "/needs-collections/{coll:A-draft}/open",  "403 200 200 404 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/needs-collections/{coll:A}/open",        "403 422 422 404 403 403 403 403 403 403 403 403 403", prepare="devices"),  # already open
    row("POST", "/needs-collections/{coll:A}/close",       "403 200 200 404 403 403 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/needs-collections/{coll:B}/close",       "403 404 404 200 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/needs-collections/{coll:A}/submissions",  "200 200 200 404 200 200 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/needs-collections/{coll:B}/submissions",  "200 404 404 200 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/needs-collections/{coll:A-2}/submissions", "403 403 403 404 200 200 403 403 403 403 403 403 403",
        {}, prepare="devices"),
    row("POST", "/needs-collections/{coll:A}/submissions", "403 403 403 404 200 200 403 403 403 403 403 403 403",
        {}, prepare="devices", reads=True),  # both schools' exist: returned as they are
    row("POST", "/needs-collections/{coll:B}/submissions", "403 404 404 403 404 404 403 403 403 403 403 403 403",
        {}, prepare="devices"),
    row("GET", "/need-submissions/{nsub:A}",               "200 200 200 404 200 404 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/need-submissions/{nsub:A-junior}",        "200 200 200 404 404 200 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/need-submissions/{nsub:B}",               "200 404 404 200 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/need-submissions/{nsub:A}/lines",        "403 403 403 404 201 404 403 403 403 403 403 403 403",
        {"kind": "laptop", "quantity": 1, "justification": "教師用"}, prepare="devices"),
    row("POST", "/need-submissions/{nsub:A-junior}/lines", "403 403 403 404 404 422 403 403 403 403 403 403 403",
        {"kind": "laptop", "quantity": 1, "justification": "教師用"}, prepare="devices"),  # submitted
    row("POST", "/need-submissions/{nsub:B}/lines",        "403 404 404 403 404 404 403 403 403 403 403 403 403",
        {"kind": "laptop", "quantity": 1, "justification": "教師用"}, prepare="devices"),
    row("PATCH", "/need-lines/{nline:A}",                  "403 403 403 404 200 404 403 403 403 403 403 403 403",
        {"quantity": 3}, prepare="devices"),
    row("PATCH", "/need-lines/{nline:B}",                  "403 404 404 403 404 404 403 403 403 403 403 403 403",
        {"quantity": 3}, prepare="devices"),
    row("DELETE", "/need-lines/{nline:A}",                 "403 403 403 404 204 404 403 403 403 403 403 403 403", prepare="devices"),
    row("DELETE", "/need-lines/{nline:B}",                 "403 404 404 403 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/need-submissions/{nsub:A}/submit",       "403 403 403 404 200 404 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/need-submissions/{nsub:B}/submit",       "403 404 404 403 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/need-submissions/{nsub:A-junior}/return", "403 200 200 404 404 403 403 403 403 403 403 403 403",
        {"comment": "請確認數量"}, prepare="devices"),
    row("POST", "/need-submissions/{nsub:B}/return",       "403 404 404 200 404 404 403 403 403 403 403 403 403",
        {"comment": "請確認數量"}, prepare="devices"),
    row("POST", "/need-submissions/{nsub:A}/return",       "403 422 422 404 403 404 403 403 403 403 403 403 403",
        {"comment": "請確認數量"}, prepare="devices"),  # a draft
    # --- devices: procurement plans (the county office; a school's administrators read approved plans allocating to
    # their school and receive its items)
    row("GET", "/procurement-plans",                       "200 200 200 200 200 200 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/procurement-plans",                      "403 201 201 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", "title": "115 採購", "fiscal_year": 115}),
    row("POST", "/procurement-plans",                      "403 422 422 201 403 403 403 403 403 403 403 403 403",
        {"county": "{county:B}", "title": "115 採購"}),
    row("POST", "/procurement-plans",                      "403 201 201 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", "title": "115 採購", "collection": "{coll:A}"}, prepare="devices"),
    row("POST", "/procurement-plans",                      "403 422 422 422 403 403 403 403 403 403 403 403 403",
        {"county": "{county:A}", "title": "115 採購", "collection": "{coll:B}"}, prepare="devices"),
    row("GET", "/procurement-plans/{pplan:A}",             "200 200 200 404 200 200 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/procurement-plans/{pplan:A-draft}",       "200 200 200 404 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/procurement-plans/{pplan:B}",             "200 404 404 200 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/procurement-plans/{pplan:A-draft}/lines", "403 201 201 404 404 404 403 403 403 403 403 403 403",
        {"kind": "laptop", "quantity": 1, "unit_cost": 25000, "allocations": [{"school": "083601", "quantity": 1}]}, prepare="devices"),
    row("POST", "/procurement-plans/{pplan:B-draft}/lines", "403 404 404 201 404 404 403 403 403 403 403 403 403",
        {"kind": "laptop", "quantity": 1, "unit_cost": 25000, "allocations": [{"school": "024601", "quantity": 1}]}, prepare="devices"),
    row("POST", "/procurement-plans/{pplan:A-draft}/lines", "403 422 422 404 404 404 403 403 403 403 403 403 403",
        {"kind": "laptop", "quantity": 1, "unit_cost": 25000, "allocations": [{"school": "024601", "quantity": 1}]}, prepare="devices"),
    row("POST", "/procurement-plans/{pplan:A}/lines",      "403 422 422 404 403 403 403 403 403 403 403 403 403",
        {"kind": "laptop", "quantity": 1, "unit_cost": 25000, "allocations": [{"school": "083601", "quantity": 1}]}, prepare="devices"),  # approved
    row("PATCH", "/procurement-lines/{pline:A-draft}",     "403 200 200 404 404 404 403 403 403 403 403 403 403",
        {"unit_cost": 14000}, prepare="devices"),
    row("PATCH", "/procurement-lines/{pline:B-draft}",     "403 404 404 200 404 404 403 403 403 403 403 403 403",
        {"unit_cost": 14000}, prepare="devices"),
    row("PATCH", "/procurement-lines/{pline:A}",           "403 422 422 404 403 403 403 403 403 403 403 403 403",
        {"unit_cost": 14000}, prepare="devices"),  # approved
    row("PATCH", "/procurement-lines/{pline:A-draft}",     "403 422 422 404 404 404 403 403 403 403 403 403 403",
        {"allocations": [{"school": "024601", "quantity": 1}]}, prepare="devices"),  # a school of another county
    row("POST", "/procurement-plans/{pplan:A-draft}/approve", "403 200 200 404 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/procurement-plans/{pplan:B-draft}/approve", "403 404 404 200 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/procurement-plans/{pplan:A}/ordered",    "403 200 200 404 403 403 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/procurement-plans/{pplan:B}/ordered",    "403 404 404 200 404 404 403 403 403 403 403 403 403", prepare="devices"),
    row("POST", "/allocations/{alloc:A}/receive",          "403 200 200 404 200 404 403 403 403 403 403 403 403",
        {"items": [{"serial": "RCV-0001"}]}, prepare="devices"),
    row("POST", "/allocations/{alloc:A-junior}/receive",   "403 200 200 404 404 200 403 403 403 403 403 403 403",
        {"items": [{"serial": "RCV-0001"}]}, prepare="devices"),
    row("POST", "/allocations/{alloc:B}/receive",          "403 404 404 200 404 404 403 403 403 403 403 403 403",
        {"items": [{"serial": "RCV-0001"}]}, prepare="devices"),
    row("POST", "/allocations/{alloc:A}/receive",          "403 422 422 404 422 404 403 403 403 403 403 403 403",
        {"items": [{"serial": "RCV-0001"}, {"serial": "RCV-0002"}]}, prepare="devices"),  # more than due
    # --- devices: the review (school and county staff; not MOE) and QR stocktakes (the school's managers)
    row("GET", "/device-review?school={school:A-elem}",    "403 200 200 404 200 404 200 404 404 403 403 403 403", prepare="devices"),
    row("GET", "/device-review?school={school:A-junior}",  "403 200 200 404 404 200 404 200 404 403 403 403 403", prepare="devices"),
    row("GET", "/device-review?school={school:B-elem}",    "403 404 404 200 404 404 404 404 200 403 403 403 403", prepare="devices"),
    row("GET", "/device-review/county",                    "403 200 200 200 403 403 403 403 403 403 403 403 403", prepare="devices"),
    row("GET", "/stocktakes",                              "403 200 200 200 200 200 200 200 200 403 403 403 403", prepare="devices"),
    row("POST", "/stocktakes",                             "403 201 201 422 201 422 403 403 403 403 403 403 403",
        {"school": "{school:A-elem}"}),
    row("POST", "/stocktakes",                             "403 422 422 201 422 422 403 403 403 403 403 403 403",
        {"school": "{school:B-elem}"}),
    row("GET", "/stocktakes/{stocktake:A}",                "403 200 200 404 200 404 200 404 404 403 403 403 403", prepare="devices"),
    row("GET", "/stocktakes/{stocktake:B}",                "403 404 404 200 404 404 404 404 200 403 403 403 403", prepare="devices"),
    row("POST", "/stocktakes/{stocktake:A}/scans",         "403 200 200 404 200 404 403 404 404 403 403 403 403",
        {"code": "DTSS:NOPE-1"}, prepare="devices"),
    row("POST", "/stocktakes/{stocktake:B}/scans",         "403 404 404 200 404 404 404 404 403 403 403 403 403",
        {"code": "NOPE-1"}, prepare="devices"),
    row("POST", "/stocktakes/{stocktake:A}/close",         "403 200 200 404 200 404 403 404 404 403 403 403 403",
        {}, prepare="devices"),
    row("POST", "/stocktakes/{stocktake:B}/close",         "403 404 404 200 404 404 404 404 403 403 403 403 403",
        {}, prepare="devices"),
    # --- helpdesk ---
    # requests (issue 9). Anyone with a person raises them (for one of their schools, or the county
    # office's); the requester reads their own (never the notes), replies, says solved and rates; the school's
    # administrators and the county's office (a_admin, a_staff) handle them; teachers, students, parents see only
    # their own; the MOE viewer never reads a request (MOE_READS = False). Another tenant's request is a 404.
    row("GET", "/helpdesk/requests",                       "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="helpdesk"),
    row("GET", "/helpdesk/requests?scope=queue",           "403 200 200 200 200 200 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("POST", "/helpdesk/requests",                      "403 201 201 201 201 201 201 201 201 201 201 201 403",
        HD_REQUEST, prepare="helpdesk"),  # MOE, outsider: no school or county office to ask
    row("POST", "/helpdesk/requests",                      "403 422 422 422 422 422 422 422 201 422 422 201 403",
        {**HD_REQUEST, "school": "{school:B-elem}"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests",                      "403 201 201 201 201 201 422 422 422 422 422 422 403",
        {**HD_REQUEST, "priority": "high"}, prepare="helpdesk"),  # the priority: handlers only
    row("POST", "/helpdesk/requests",                      "403 201 201 422 201 422 201 422 422 422 422 422 403",
        {**HD_REQUEST, "device": "{device:hd-A}"}, prepare="helpdesk"),  # a device the caller sees
    row("GET", "/helpdesk/requests/{hreq:A}",              "404 200 200 404 200 404 404 404 404 200 404 404 404", prepare="helpdesk"),
    row("GET", "/helpdesk/requests/{hreq:A-parent}",       "404 200 200 404 200 404 404 404 404 404 200 404 404", prepare="helpdesk"),
    row("GET", "/helpdesk/requests/{hreq:B-parent}",       "404 404 404 200 404 404 404 404 404 404 404 200 404", prepare="helpdesk"),
    row("GET", "/helpdesk/requests/{hreq:A}/messages",     "404 200 200 404 200 404 404 404 404 200 404 404 404", prepare="helpdesk"),
    row("GET", "/helpdesk/requests/{hreq:B}/messages",     "404 404 404 200 404 404 404 404 404 404 404 404 404", prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/messages",    "404 201 201 404 201 404 404 404 404 201 404 404 404",
        {"body": "還是不行"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/messages",    "404 201 201 404 201 404 404 404 404 403 404 404 404",
        {"body": "請查帳號", "internal": True}, prepare="helpdesk"),  # an internal note: handlers
    row("POST", "/helpdesk/requests/{hreq:B-parent}/messages", "404 404 404 201 404 404 404 404 404 404 404 201 404",
        {"body": "還是不行"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/assign",      "404 200 200 404 200 404 404 404 404 403 404 404 404",
        {"assignee": "{person:a_staff}"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/assign",      "404 422 422 404 422 404 404 404 404 403 404 404 404",
        {"assignee": "{person:elem_teacher}"}, prepare="helpdesk"),  # not a handler of it
    row("POST", "/helpdesk/requests/{hreq:B}/assign",      "404 404 404 200 404 404 404 404 404 404 404 404 404",
        {"assignee": "{person:b_admin}"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/status",      "404 200 200 404 200 404 404 404 404 403 404 404 404",
        {"status": "waiting"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:B}/status",      "404 404 404 200 404 404 404 404 404 404 404 404 404",
        {"status": "waiting"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/priority",    "404 200 200 404 200 404 404 404 404 403 404 404 404",
        {"priority": "urgent"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:B-parent}/priority", "404 404 404 200 404 404 404 404 404 404 404 403 404",
        {"priority": "urgent"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/escalate",    "404 200 200 404 200 404 404 404 404 403 404 404 404",
        {"group": "{hgroup:A-equipment}", "reason": "需要縣網中心協助"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/escalate",    "404 422 422 404 422 404 404 404 404 403 404 404 404",
        {"group": "{hgroup:B-equipment}"}, prepare="helpdesk"),  # another county's group
    row("POST", "/helpdesk/requests/{hreq:B}/escalate",    "404 404 404 200 404 404 404 404 404 404 404 404 404",
        {"group": "{hgroup:B-teaching}"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/files",       "404 201 201 404 201 404 404 404 404 201 404 404 404",
        upload="png", prepare="helpdesk"),
    row("GET", "/helpdesk/attachments/{hatt:A}",           "404 200 200 404 200 404 404 404 404 200 404 404 404", prepare="helpdesk"),
    row("GET", "/helpdesk/attachments/{hatt:A-note}",      "404 200 200 404 200 404 404 404 404 404 404 404 404", prepare="helpdesk"),
    row("GET", "/helpdesk/attachments/{hatt:B}",           "404 404 404 200 404 404 404 404 404 404 404 404 404", prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/solved",      "404 403 403 404 403 404 404 404 404 200 404 404 404", prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:B-parent}/solved", "404 404 404 403 404 404 404 404 404 404 404 200 404", prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A-done}/rating", "404 403 403 404 403 404 404 404 404 200 404 404 404",
        {"rating": 5, "comment": "謝謝"}, prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/rating",      "404 403 403 404 403 404 404 404 404 422 404 404 404",
        {"rating": 5}, prepare="helpdesk"),  # not resolved yet
    row("POST", "/helpdesk/requests/{hreq:B-done}/rating", "404 404 404 403 404 404 404 404 404 404 404 404 404",
        {"rating": 4}, prepare="helpdesk"),
    # helpdesk: canned replies (handlers only; county-wide ones changed by the county's office, a school's own by
    # its administrators and the county's office; a school's administrators read the county-wide ones)
    row("GET", "/helpdesk/canned-replies",                 "403 200 200 200 200 200 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("GET", "/helpdesk/canned-replies?request={hreq:A}", "403 200 200 404 200 404 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("POST", "/helpdesk/canned-replies",                "403 201 201 201 422 422 403 403 403 403 403 403 403",
        {"title": "重設密碼", "body": "請至教育雲重設密碼。"}),  # county-wide: the county's office
    row("POST", "/helpdesk/canned-replies",                "403 422 422 422 201 422 403 403 403 403 403 403 403",
        {"title": "重設密碼", "body": "請至教育雲重設密碼。", "school": "{school:A-elem}"}),
    row("PATCH", "/helpdesk/canned-replies/{canned:A}",    "403 200 200 404 403 403 403 403 403 403 403 403 403",
        {"title": "清除瀏覽器快取"}, prepare="helpdesk"),
    row("PATCH", "/helpdesk/canned-replies/{canned:A-elem}", "403 200 200 404 200 404 403 403 403 403 403 403 403",
        {"title": "本校資訊組聯絡方式"}, prepare="helpdesk"),
    row("PATCH", "/helpdesk/canned-replies/{canned:B}",    "403 404 404 200 404 404 403 403 403 403 403 403 403",
        {"title": "清除瀏覽器快取"}, prepare="helpdesk"),
    row("DELETE", "/helpdesk/canned-replies/{canned:A}",   "403 204 204 404 403 403 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("DELETE", "/helpdesk/canned-replies/{canned:A-elem}", "403 204 204 404 204 404 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("DELETE", "/helpdesk/canned-replies/{canned:B-elem}", "403 404 404 204 404 404 403 403 403 403 403 403 403", prepare="helpdesk"),
    # helpdesk: the knowledge base. Everyone signed in reads the published articles of their county and schools
    # (the MOE viewer every county's); editors (the county's office: the county's and its schools'; a school's
    # administrators: their school's) also drafts; a reader who may not edit gets 403 on a write
    row("GET", "/helpdesk/articles",                       "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="helpdesk"),
    row("GET", "/helpdesk/articles/suggest?q=因材網登入",   "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="helpdesk"),
    row("GET", "/helpdesk/articles/{article:A}",           "200 200 200 404 200 200 200 200 404 200 200 404 404", prepare="helpdesk"),
    row("GET", "/helpdesk/articles/{article:A-elem-draft}", "404 200 200 404 200 404 404 404 404 404 404 404 404", prepare="helpdesk"),
    row("GET", "/helpdesk/articles/{article:B}",           "200 404 404 200 404 404 404 404 200 404 404 200 404", prepare="helpdesk"),
    row("POST", "/helpdesk/articles",                      "403 201 201 201 422 422 403 403 403 403 403 403 403",
        HD_ARTICLE),  # no school, no county: the caller's county (school administrators name their school)
    row("POST", "/helpdesk/articles",                      "403 201 201 422 201 422 403 403 403 403 403 403 403",
        {**HD_ARTICLE, "school": "{school:A-elem}"}),
    row("POST", "/helpdesk/articles",                      "403 422 422 201 422 422 403 403 403 403 403 403 403",
        {**HD_ARTICLE, "county": "{county:B}"}),
    row("PATCH", "/helpdesk/articles/{article:A}",         "403 200 200 404 403 403 403 403 404 403 403 404 404",
        {"tags": "登入, 快取"}, prepare="helpdesk"),
    row("PATCH", "/helpdesk/articles/{article:A-elem-draft}", "404 200 200 404 200 404 404 404 404 404 404 404 404",
        {"tags": "平板"}, prepare="helpdesk"),
    row("PATCH", "/helpdesk/articles/{article:B}",         "403 404 404 200 404 404 404 404 403 404 404 403 404",
        {"tags": "登入"}, prepare="helpdesk"),
    row("POST", "/helpdesk/articles/{article:A}/status",   "403 200 200 404 403 403 403 403 404 403 403 404 404",
        {"status": "archived"}, prepare="helpdesk"),
    row("POST", "/helpdesk/articles/{article:A-elem-draft}/status", "404 200 200 404 200 404 404 404 404 404 404 404 404",
        {"status": "published"}, prepare="helpdesk"),
    row("POST", "/helpdesk/articles/{article:B}/status",   "403 404 404 200 404 404 404 404 403 404 404 403 404",
        {"status": "archived"}, prepare="helpdesk"),
    row("POST", "/helpdesk/articles/{article:A}/media",    "403 201 201 404 403 403 403 403 404 403 403 404 404",
        upload="png", prepare="helpdesk"),
    row("DELETE", "/helpdesk/article-media/{amedia:A}",    "403 204 204 404 403 403 403 403 404 403 403 404 404", prepare="helpdesk"),
    row("DELETE", "/helpdesk/article-media/{amedia:B}",    "403 404 404 204 404 404 404 404 403 404 404 403 404", prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A-done}/article-draft", "404 201 201 404 201 404 404 404 404 403 404 404 404", prepare="helpdesk"),
    row("POST", "/helpdesk/requests/{hreq:A}/article-draft", "404 422 422 404 422 404 404 404 404 403 404 404 404", prepare="helpdesk"),  # still open
    row("POST", "/helpdesk/requests/{hreq:B-done}/article-draft", "404 404 404 201 404 404 404 404 404 404 404 404 404", prepare="helpdesk"),
    # helpdesk: settings, calendar and service targets (the county's office reads and changes its county's, the
    # MOE viewer reads any county's; everyone else 403) and the reports (also a school's administrators, their school's)
    row("GET", "/helpdesk/settings",                       "422 200 200 200 403 403 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("GET", "/helpdesk/settings?county={county:A}",     "200 200 200 404 403 403 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("GET", "/helpdesk/settings?county={county:B}",     "200 404 404 200 403 403 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("PUT", "/helpdesk/settings",                       "403 200 200 200 403 403 403 403 403 403 403 403 403",
        HD_HOURS, prepare="helpdesk"),
    row("PUT", "/helpdesk/settings?county={county:A}",     "403 200 200 404 403 403 403 403 403 403 403 403 403",
        HD_HOURS, prepare="helpdesk"),
    row("PUT", "/helpdesk/settings?county={county:B}",     "403 404 404 200 403 403 403 403 403 403 403 403 403",
        HD_HOURS, prepare="helpdesk"),
    row("GET", "/helpdesk/calendar?county={county:A}",     "200 200 200 404 403 403 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("GET", "/helpdesk/calendar?county={county:B}",     "200 404 404 200 403 403 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("POST", "/helpdesk/calendar?county={county:A}",    "403 201 201 404 403 403 403 403 403 403 403 403 403",
        {"date": "2099-02-01", "end": "2099-02-03", "name": "寒假"}, prepare="helpdesk"),
    row("POST", "/helpdesk/calendar?county={county:A}",    "403 201 201 404 403 403 403 403 403 403 403 403 403",
        {"date": "2099-02-01", "name": "校慶", "school": "{school:A-junior}"}, prepare="helpdesk"),
    row("POST", "/helpdesk/calendar?county={county:A}",    "403 422 422 404 403 403 403 403 403 403 403 403 403",
        {"date": "2099-02-01", "name": "校慶", "school": "{school:B-elem}"}, prepare="helpdesk"),
    row("POST", "/helpdesk/calendar?county={county:B}",    "403 404 404 201 403 403 403 403 403 403 403 403 403",
        {"date": "2099-02-01", "name": "颱風停班"}, prepare="helpdesk"),
    row("DELETE", "/helpdesk/calendar/{cday:A}",           "403 204 204 404 404 404 404 404 404 404 404 404 404", prepare="helpdesk"),
    row("DELETE", "/helpdesk/calendar/{cday:A-elem}",      "403 204 204 404 403 404 403 404 404 404 404 404 404", prepare="helpdesk"),
    row("DELETE", "/helpdesk/calendar/{cday:B}",           "403 404 404 204 404 404 404 404 404 404 404 404 404", prepare="helpdesk"),
    row("GET", "/helpdesk/targets?county={county:A}",      "200 200 200 404 403 403 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("GET", "/helpdesk/targets?county={county:B}",      "200 404 404 200 403 403 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("PUT", "/helpdesk/targets?county={county:A}",      "403 200 200 404 403 403 403 403 403 403 403 403 403",
        {"targets": [{**HD_TARGET, "escalate_to": "{hgroup:A-equipment}"}]}, prepare="helpdesk"),
    row("PUT", "/helpdesk/targets?county={county:A}",      "403 422 422 404 403 403 403 403 403 403 403 403 403",
        {"targets": [{**HD_TARGET, "escalate_to": "{hgroup:B-equipment}"}]}, prepare="helpdesk"),  # another county's group
    row("PUT", "/helpdesk/targets?county={county:B}",      "403 404 404 200 403 403 403 403 403 403 403 403 403",
        {"targets": [{**HD_TARGET, "escalate_to": "{hgroup:B-equipment}"}]}, prepare="helpdesk"),
    row("GET", "/helpdesk/reports",                        "422 200 200 200 200 200 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("GET", "/helpdesk/reports?county={county:A}",      "200 200 200 404 200 200 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("GET", "/helpdesk/reports?county={county:B}",      "200 404 404 200 404 404 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("GET", "/helpdesk/reports?county={county:A}&school={school:A-elem}", "200 200 200 404 200 404 403 403 403 403 403 403 403", prepare="helpdesk"),
    # helpdesk: the county's community (its office and its schools' administrators; the MOE viewer reads every
    # county's, writes nothing; the county's office moderates; a post's author edits it) and the shared queue
    row("GET", "/helpdesk/threads",                        "200 200 200 200 200 200 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("GET", "/helpdesk/threads?county={county:B}",      "200 404 404 200 404 404 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("POST", "/helpdesk/threads",                       "403 201 201 201 201 201 403 403 403 403 403 403 403",
        HD_THREAD, prepare="helpdesk"),
    row("POST", "/helpdesk/threads",                       "403 422 422 201 422 422 403 403 403 403 403 403 403",
        {**HD_THREAD, "county": "{county:B}"}, prepare="helpdesk"),
    row("POST", "/helpdesk/threads",                       "403 201 201 422 201 201 403 403 403 403 403 403 403",
        {**HD_THREAD, "request": "{hreq:A}"}, prepare="helpdesk"),  # an open request of the shared queue
    row("GET", "/helpdesk/threads/{thread:A}",             "200 200 200 404 200 200 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("GET", "/helpdesk/threads/{thread:B}",             "200 404 404 200 404 404 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("POST", "/helpdesk/threads/{thread:A}/posts",      "403 201 201 404 201 201 403 403 403 403 403 403 403",
        {"body": "我們也是"}, prepare="helpdesk"),
    row("POST", "/helpdesk/threads/{thread:B}/posts",      "403 404 404 201 404 404 403 403 403 403 403 403 403",
        {"body": "我們也是"}, prepare="helpdesk"),
    row("PATCH", "/helpdesk/posts/{post:A}",               "403 403 403 404 403 200 403 403 403 403 403 403 403",
        {"body": "我們用定時插座。"}, prepare="helpdesk"),  # junior_admin's reply
    row("PATCH", "/helpdesk/posts/{post:B}",               "403 404 404 200 404 404 403 403 403 403 403 403 403",
        {"body": "我們用定時插座。"}, prepare="helpdesk"),
    row("POST", "/helpdesk/posts/{post:A}/answer",         "403 200 200 404 200 403 403 403 403 403 403 403 403",
        {"helpful": True}, prepare="helpdesk"),  # the thread's author (elem_admin) or a moderator
    row("POST", "/helpdesk/posts/{post:A-first}/answer",   "403 422 422 404 422 403 403 403 403 403 403 403 403",
        {"helpful": True}, prepare="helpdesk"),  # the opening post
    row("POST", "/helpdesk/posts/{post:B}/answer",         "403 404 404 200 404 404 403 403 403 403 403 403 403",
        {"helpful": True}, prepare="helpdesk"),
    row("POST", "/helpdesk/threads/{thread:A}/pin",        "403 200 200 404 403 403 403 403 403 403 403 403 403",
        {"pinned": True}, prepare="helpdesk"),
    row("POST", "/helpdesk/threads/{thread:B}/pin",        "403 404 404 200 404 404 403 403 403 403 403 403 403",
        {"pinned": True}, prepare="helpdesk"),
    row("POST", "/helpdesk/threads/{thread:A}/lock",       "403 200 200 404 403 403 403 403 403 403 403 403 403",
        {"locked": True}, prepare="helpdesk"),
    row("POST", "/helpdesk/threads/{thread:B}/lock",       "403 404 404 200 404 404 403 403 403 403 403 403 403",
        {"locked": True}, prepare="helpdesk"),
    row("GET", "/helpdesk/shared-queue",                   "403 200 200 200 200 200 403 403 403 403 403 403 403", prepare="helpdesk"),
    row("GET", "/helpdesk/shared-queue?school={school:B-elem}", "403 404 404 200 404 404 403 403 403 403 403 403 403", prepare="helpdesk"),
    # --- homeschool ---
    # the contact book (issue 10). A class's entries: the school's staff and the county's office (drafts too), the class's
    # students and parents the published ones; the MOE viewer never (403). The homeroom teacher and the school's
    # administrators write, publish, attach and answer (a reader who may not write: 403); the school's staff see who signed;
    # a parent signs for their own child. Another school's, county's or family's class, entry, file or signature is a 404
    row("GET", "/homeschool/contact/classes/{class:A-elem}/entries", "403 200 200 404 200 404 200 404 404 200 200 404 404", prepare="homeschool"),
    row("GET", "/homeschool/contact/classes/{class:A-junior}/entries", "403 200 200 404 404 200 404 200 404 404 404 404 404", prepare="homeschool"),
    row("GET", "/homeschool/contact/classes/{class:B-elem}/entries", "403 404 404 200 404 404 404 404 200 404 404 200 404", prepare="homeschool"),
    row("GET", "/homeschool/contact/entries/{entry:A}",    "404 200 200 404 200 404 200 404 404 200 200 404 404", prepare="homeschool"),
    row("GET", "/homeschool/contact/entries/{entry:A-draft}", "404 200 200 404 200 404 200 404 404 404 404 404 404", prepare="homeschool"),
    row("GET", "/homeschool/contact/entries/{entry:B}",    "404 404 404 200 404 404 404 404 200 404 404 200 404", prepare="homeschool"),
    row("PUT", "/homeschool/contact/classes/{class:A-elem}/entries/{day:next}", "403 403 403 404 200 404 200 404 404 403 403 404 404",
        {"homework": "國語習作第6課", "publish": True}, prepare="homeschool"),
    row("PUT", "/homeschool/contact/classes/{class:B-elem}/entries/{day:next}", "403 404 404 403 404 404 404 404 200 404 404 403 404",
        {"homework": "數學習作第3頁"}, prepare="homeschool"),
    row("POST", "/homeschool/contact/entries/{entry:A-draft}/publish", "404 403 403 404 200 404 200 404 404 404 404 404 404", prepare="homeschool"),
    row("POST", "/homeschool/contact/entries/{entry:B}/publish", "404 404 404 403 404 404 404 404 200 404 404 403 404", prepare="homeschool"),
    row("POST", "/homeschool/contact/entries/{entry:A}/files", "404 403 403 404 201 404 201 404 404 403 403 404 404",
        upload="png", prepare="homeschool"),
    row("POST", "/homeschool/contact/entries/{entry:B}/files", "404 404 404 403 404 404 404 404 201 404 404 403 404",
        upload="png", prepare="homeschool"),
    row("GET", "/homeschool/contact/attachments/{catt:A}", "404 200 200 404 200 404 200 404 404 200 200 404 404", prepare="homeschool"),
    row("GET", "/homeschool/contact/attachments/{catt:A-draft}", "404 200 200 404 200 404 200 404 404 404 404 404 404", prepare="homeschool"),
    row("GET", "/homeschool/contact/attachments/{catt:B}", "404 404 404 200 404 404 404 404 200 404 404 200 404", prepare="homeschool"),
    row("DELETE", "/homeschool/contact/attachments/{catt:A}", "404 403 403 404 204 404 204 404 404 403 403 404 404", prepare="homeschool"),
    row("DELETE", "/homeschool/contact/attachments/{catt:B}", "404 404 404 403 404 404 404 404 204 404 404 403 404", prepare="homeschool"),
    row("GET", "/homeschool/contact/entries/{entry:A}/signatures", "404 403 403 404 200 404 200 404 404 403 403 404 404", prepare="homeschool"),
    row("GET", "/homeschool/contact/entries/{entry:B}/signatures", "404 404 404 403 404 404 404 404 200 404 404 403 404", prepare="homeschool"),
    row("POST", "/homeschool/contact/entries/{entry:A}/sign", "404 403 403 404 403 404 403 404 404 403 200 404 404",
        {"student": "{person:elem_student}", "reply": "明天請假"}, prepare="homeschool"),
    row("POST", "/homeschool/contact/entries/{entry:A}/sign", "404 403 403 404 403 404 403 404 404 403 422 404 404",
        {"student": "{person:elem_student2}"}, prepare="homeschool"),  # not their child (the app: 403)
    row("POST", "/homeschool/contact/entries/{entry:A}/sign", "404 403 403 404 403 404 403 404 404 403 422 404 404",
        {"student": "{person:b_student}"}, prepare="homeschool"),  # not in the class
    row("POST", "/homeschool/contact/entries/{entry:B}/sign", "404 404 404 403 404 404 404 404 403 404 404 200 404",
        {"student": "{person:b_student}"}, prepare="homeschool"),
    row("POST", "/homeschool/contact/signatures/{sig:A}/answer", "404 404 404 404 200 404 200 404 404 403 403 404 404",
        {"answer": "好的，收到"}, prepare="homeschool"),
    row("POST", "/homeschool/contact/signatures/{sig:B}/answer", "404 404 404 404 404 404 404 404 200 404 404 403 404",
        {"answer": "好的，收到"}, prepare="homeschool"),
    # homeschool: leave. A parent requests it for their child (a student at an elementary school never), the school's
    # administrators enter a paper form; the family, the homeroom teacher and the school's administrators read it (never
    # the county's office or the MOE viewer); the homeroom teacher and the school's administrators decide; the family
    # cancels an open request, the school's administrators also an approved one
    row("GET", "/homeschool/leave/options?student={person:elem_student}", "403 403 403 404 200 404 403 404 404 403 200 404 404", prepare="homeschool"),
    row("GET", "/homeschool/leave/options?student={person:b_student}", "403 404 404 403 404 404 404 404 403 404 404 200 404", prepare="homeschool"),
    row("GET", "/homeschool/leave/requests",               "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="homeschool"),
    row("POST", "/homeschool/leave/requests",              "403 403 403 403 201 422 403 403 403 403 201 422 403",
        {**HS_LEAVE, "student": "{person:elem_student}"}, upload="png", prepare="homeschool"),
    row("POST", "/homeschool/leave/requests",              "403 403 403 403 422 422 403 403 403 403 422 201 403",
        {**HS_LEAVE, "student": "{person:b_student}"}, upload="png", prepare="homeschool"),
    row("GET", "/homeschool/leave/requests/{leave:A}",     "404 404 404 404 200 404 200 404 404 200 200 404 404", prepare="homeschool"),
    row("GET", "/homeschool/leave/requests/{leave:B}",     "404 404 404 404 404 404 404 404 200 404 404 200 404", prepare="homeschool"),
    row("POST", "/homeschool/leave/requests/{leave:A}/decide", "404 404 404 404 200 404 200 404 404 403 403 404 404",
        {"approve": True}, prepare="homeschool"),
    row("POST", "/homeschool/leave/requests/{leave:A}/decide", "404 404 404 404 422 404 422 404 404 403 403 404 404",
        {"approve": False}, prepare="homeschool"),  # declining needs a note
    row("POST", "/homeschool/leave/requests/{leave:B}/decide", "404 404 404 404 404 404 404 404 200 404 404 403 404",
        {"approve": False, "note": "請補證明"}, prepare="homeschool"),
    row("POST", "/homeschool/leave/requests/{leave:A}/cancel", "404 404 404 404 200 404 403 404 404 403 200 404 404", prepare="homeschool"),
    row("POST", "/homeschool/leave/requests/{leave:A-approved}/cancel", "404 404 404 404 200 404 403 404 404 403 403 404 404", prepare="homeschool"),
    row("POST", "/homeschool/leave/requests/{leave:B}/cancel", "404 404 404 404 404 404 404 404 403 404 404 200 404", prepare="homeschool"),
    row("GET", "/homeschool/leave/attachments/{latt:A}",   "404 404 404 404 200 404 200 404 404 200 200 404 404", prepare="homeschool"),
    row("GET", "/homeschool/leave/attachments/{latt:B}",   "404 404 404 404 404 404 404 404 200 404 404 200 404", prepare="homeschool"),
    # homeschool: attendance. The school's staff read a class's (the class's teachers and the school's administrators
    # record it), its administrators the school's report; a student's record: the student, their parents, their homeroom
    # teacher and the school's administrators
    row("GET", "/homeschool/attendance/classes/{class:A-elem}?date={day:past}", "403 403 403 404 200 404 200 404 404 403 403 404 404", prepare="homeschool"),
    row("GET", "/homeschool/attendance/classes/{class:B-elem}", "403 404 404 403 404 404 404 404 200 404 404 403 404", prepare="homeschool"),
    row("PUT", "/homeschool/attendance/classes/{class:A-elem}", "403 403 403 404 200 404 200 404 404 403 403 404 404",
        {"date": "{day:past}", "marks": [{"student": "{person:elem_student2}", "period": "p2", "status": "late"}]}, prepare="homeschool"),
    row("PUT", "/homeschool/attendance/classes/{class:A-elem}", "403 403 403 404 422 404 422 404 404 403 403 404 404",
        {"date": "{day:past}", "marks": [{"student": "{person:b_student}", "period": "p2", "status": "late"}]}, prepare="homeschool"),
    row("PUT", "/homeschool/attendance/classes/{class:B-elem}", "403 404 404 403 404 404 404 404 200 404 404 403 404",
        {"date": "{day:past}", "marks": [{"student": "{person:b_student}", "period": "p1", "status": "unexcused"}]}, prepare="homeschool"),
    row("GET", "/homeschool/attendance/classes/{class:A-elem}/report", "403 403 403 404 200 404 200 404 404 403 403 404 404", prepare="homeschool"),
    row("GET", "/homeschool/attendance/classes/{class:B-elem}/report", "403 404 404 403 404 404 404 404 200 404 404 403 404", prepare="homeschool"),
    row("GET", "/homeschool/attendance/schools/{school:A-elem}/report", "403 403 403 404 200 404 403 404 404 403 403 404 404", prepare="homeschool"),
    row("GET", "/homeschool/attendance/schools/{school:B-elem}/report", "403 404 404 403 404 404 404 404 403 404 404 403 404", prepare="homeschool"),
    row("GET", "/homeschool/attendance/students/{person:elem_student}", "404 404 404 404 200 404 200 404 404 200 200 404 404", prepare="homeschool"),
    row("GET", "/homeschool/attendance/students/{person:elem_student2}", "404 404 404 404 200 404 200 404 404 404 404 404 404", prepare="homeschool"),
    row("GET", "/homeschool/attendance/students/{person:b_student}", "404 404 404 404 404 404 404 404 200 404 404 200 404", prepare="homeschool"),
    # homeschool: a school's settings, leave types, periods and timetables (the school's staff and the county's office
    # read, the school's and the county's administrators change; the MOE viewer, students and parents 403)
    row("GET", "/homeschool/schools/{school:A-elem}/settings", "403 200 200 404 200 404 200 404 404 403 403 403 403", prepare="homeschool"),
    row("GET", "/homeschool/schools/{school:B-elem}/settings", "403 404 404 200 404 404 404 404 200 403 403 403 403", prepare="homeschool"),
    row("PUT", "/homeschool/schools/{school:A-elem}/settings", "403 200 403 404 200 404 403 404 404 403 403 403 403",
        HS_SETTINGS, prepare="homeschool"),
    row("PUT", "/homeschool/schools/{school:A-elem}/settings", "403 422 403 404 422 404 403 404 404 403 403 403 403",
        {**HS_SETTINGS, "second_approver": "{person:b_teacher}"}, prepare="homeschool"),  # another school's teacher
    row("PUT", "/homeschool/schools/{school:B-elem}/settings", "403 404 404 200 404 404 404 404 403 403 403 403 403",
        HS_SETTINGS, prepare="homeschool"),
    row("GET", "/homeschool/schools/{school:A-elem}/leave-types", "403 200 200 404 200 404 200 404 404 403 403 403 403", prepare="homeschool"),
    row("GET", "/homeschool/schools/{school:B-elem}/leave-types", "403 404 404 200 404 404 404 404 200 403 403 403 403", prepare="homeschool"),
    row("POST", "/homeschool/schools/{school:A-elem}/leave-types", "403 201 403 404 201 404 403 404 404 403 403 403 403",
        {"code": "family", "name_zh": "家庭照顧假"}, prepare="homeschool"),
    row("POST", "/homeschool/schools/{school:B-elem}/leave-types", "403 404 404 201 404 404 404 404 403 403 403 403 403",
        {"code": "family", "name_zh": "家庭照顧假"}, prepare="homeschool"),
    row("PATCH", "/homeschool/leave-types/{ltype:A}",      "403 200 403 404 200 404 403 404 404 403 403 403 403",
        {"name_zh": "病假（附證明）"}, prepare="homeschool"),
    row("PATCH", "/homeschool/leave-types/{ltype:B}",      "403 404 404 200 404 404 404 404 403 403 403 403 403",
        {"name_zh": "病假（附證明）"}, prepare="homeschool"),
    row("GET", "/homeschool/schools/{school:A-elem}/periods", "403 200 200 404 200 404 200 404 404 403 403 403 403", prepare="homeschool"),
    row("GET", "/homeschool/schools/{school:B-elem}/periods", "403 404 404 200 404 404 404 404 200 403 403 403 403", prepare="homeschool"),
    row("POST", "/homeschool/schools/{school:A-elem}/periods", "403 201 403 404 201 404 403 404 404 403 403 403 403",
        {"code": "p9", "name_zh": "第九節"}, prepare="homeschool"),
    row("POST", "/homeschool/schools/{school:B-elem}/periods", "403 404 404 201 404 404 404 404 403 403 403 403 403",
        {"code": "p9", "name_zh": "第九節"}, prepare="homeschool"),
    row("PATCH", "/homeschool/periods/{period:A}",         "403 200 403 404 200 404 403 404 404 403 403 403 403",
        {"name_zh": "第一節課"}, prepare="homeschool"),
    row("PATCH", "/homeschool/periods/{period:B}",         "403 404 404 200 404 404 404 404 403 403 403 403 403",
        {"name_zh": "第一節課"}, prepare="homeschool"),
    row("GET", "/homeschool/classes/{class:A-elem}/timetable", "403 200 200 404 200 404 200 404 404 403 403 403 403", prepare="homeschool"),
    row("GET", "/homeschool/classes/{class:B-elem}/timetable", "403 404 404 200 404 404 404 404 200 403 403 403 403", prepare="homeschool"),
    row("PUT", "/homeschool/classes/{class:A-elem}/timetable", "403 200 403 404 200 404 403 404 404 403 403 403 403",
        {"slots": [HS_SLOT, {**HS_SLOT, "weekday": 2, "teacher": "{person:elem_teacher}"}]}, prepare="homeschool"),
    row("PUT", "/homeschool/classes/{class:A-elem}/timetable", "403 422 403 404 422 404 403 404 404 403 403 403 403",
        {"slots": [{**HS_SLOT, "teacher": "{person:b_teacher}"}]}, prepare="homeschool"),  # another school's teacher
    row("PUT", "/homeschool/classes/{class:B-elem}/timetable", "403 404 404 200 404 404 404 404 403 403 403 403 403",
        {"slots": [{**HS_SLOT, "teacher": "{person:b_teacher}"}]}, prepare="homeschool"),
    # homeschool: forms sent to a class (its homeroom teacher and the school's administrators; other staff 404 on
    # another school's, everyone else 403)
    row("GET", "/homeschool/forms",                        "403 403 403 403 200 200 200 200 200 403 403 403 403", prepare="homeschool"),
    row("POST", "/homeschool/classes/{class:A-elem}/forms", "403 403 403 403 201 404 201 404 404 403 403 403 403",
        {**HS_FORM, "questionnaire": "{hsqn:A}"}, prepare="homeschool"),
    row("POST", "/homeschool/classes/{class:A-elem}/forms", "403 403 403 403 422 404 422 404 404 403 403 403 403",
        {**HS_FORM, "questionnaire": "{hsqn:B}"}, prepare="homeschool"),  # another county's questionnaire
    row("POST", "/homeschool/classes/{class:B-elem}/forms", "403 403 403 403 404 404 404 404 201 403 403 403 403",
        {**HS_FORM, "questionnaire": "{hsqn:B}"}, prepare="homeschool"),
    row("GET", "/homeschool/forms/{form:A}",               "403 403 403 403 200 404 200 404 404 403 403 403 403", prepare="homeschool"),
    row("GET", "/homeschool/forms/{form:B}",               "403 403 403 403 404 404 404 404 200 403 403 403 403", prepare="homeschool"),
    row("POST", "/homeschool/forms/{form:A}/remind",       "403 403 403 403 200 404 200 404 404 403 403 403 403", prepare="homeschool"),
    row("POST", "/homeschool/forms/{form:B}/remind",       "403 403 403 403 404 404 404 404 200 403 403 403 403", prepare="homeschool"),
    row("POST", "/homeschool/forms/{form:A}/close",        "403 403 403 403 200 404 200 404 404 403 403 403 403", prepare="homeschool"),
    row("POST", "/homeschool/forms/{form:B}/close",        "403 403 403 403 404 404 404 404 200 403 403 403 403", prepare="homeschool"),
    # homeschool: announcements. Everyone reads those addressed to them; the county's office announces for its county,
    # a school's administrators for their school, a homeroom teacher (and the administrators) for the class; who may
    # announce for none of them (the MOE viewer, students, parents) 403; a draft only for who may edit it
    row("GET", "/homeschool/announcements",                "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="homeschool"),
    row("POST", "/homeschool/announcements",               "403 201 201 422 422 422 422 422 422 403 403 403 403",
        {**HS_ANNOUNCEMENT, "county": "{county:A}"}, prepare="homeschool"),
    row("POST", "/homeschool/announcements",               "403 422 422 422 201 422 422 422 422 403 403 403 403",
        {**HS_ANNOUNCEMENT, "school": "{school:A-elem}"}, prepare="homeschool"),
    row("POST", "/homeschool/announcements",               "403 422 422 422 201 422 201 422 422 403 403 403 403",
        {**HS_ANNOUNCEMENT, "school_class": "{class:A-elem}"}, prepare="homeschool"),
    row("GET", "/homeschool/announcements/{ann:A-county}", "404 200 200 404 200 200 200 200 404 200 200 404 404", prepare="homeschool"),
    row("GET", "/homeschool/announcements/{ann:A-elem}",   "404 200 200 404 200 404 200 404 404 200 200 404 404", prepare="homeschool"),
    row("GET", "/homeschool/announcements/{ann:A-draft}",  "404 404 404 404 200 404 200 404 404 404 404 404 404", prepare="homeschool"),
    row("GET", "/homeschool/announcements/{ann:B}",        "404 404 404 200 404 404 404 404 200 404 404 200 404", prepare="homeschool"),
    row("PATCH", "/homeschool/announcements/{ann:A-draft}", "404 404 404 404 200 404 200 404 404 404 404 404 404",
        {"title": "校外教學通知"}, prepare="homeschool"),
    row("PATCH", "/homeschool/announcements/{ann:A-elem}", "404 403 403 404 422 404 403 404 404 403 403 404 404",
        {"title": "校外教學通知"}, prepare="homeschool"),  # published
    row("PATCH", "/homeschool/announcements/{ann:B}",      "404 404 404 403 404 404 404 404 422 404 404 403 404",
        {"title": "校外教學通知"}, prepare="homeschool"),
    row("POST", "/homeschool/announcements/{ann:A-draft}/publish", "404 404 404 404 200 404 200 404 404 404 404 404 404", prepare="homeschool"),
    row("POST", "/homeschool/announcements/{ann:A-county}/publish", "404 422 422 404 403 403 403 403 404 403 403 404 404",
        prepare="homeschool"),  # published
    row("POST", "/homeschool/announcements/{ann:A-elem}/read", "404 200 200 404 200 404 200 404 404 200 200 404 404", prepare="homeschool"),
    row("POST", "/homeschool/announcements/{ann:B}/read",  "404 404 404 200 404 404 404 404 200 404 404 200 404", prepare="homeschool"),
    row("GET", "/homeschool/announcements/{ann:A-county}/receipts", "404 200 200 404 403 403 403 403 404 403 403 404 404", prepare="homeschool"),
    row("GET", "/homeschool/announcements/{ann:A-elem}/receipts", "404 403 403 404 200 404 403 404 404 403 403 404 404", prepare="homeschool"),
    row("GET", "/homeschool/announcements/{ann:B}/receipts", "404 404 404 403 404 404 404 404 200 404 404 403 404", prepare="homeschool"),
    # homeschool: conversations between a teacher (who teaches the child, or the school's administrators) and a parent;
    # the two write, the school's administrators read (403 on a write); who may start none (the MOE viewer, the
    # county's office, students) 403; a student or person not offered to the caller 422
    row("GET", "/homeschool/conversations",                "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="homeschool"),
    row("POST", "/homeschool/conversations",               "403 403 403 403 200 422 200 422 422 403 422 422 403",
        {"student": "{person:elem_student2}", "parent": "{person:elem_parent2}"}, prepare="homeschool"),
    row("POST", "/homeschool/conversations",               "403 403 403 403 422 422 422 422 422 403 200 422 403",
        {"student": "{person:elem_student}", "teacher": "{person:elem_admin}"}, prepare="homeschool"),  # a subject teacher
    row("GET", "/homeschool/conversations/{conv:A}",       "404 404 404 404 200 404 200 404 404 404 200 404 404", prepare="homeschool"),
    row("GET", "/homeschool/conversations/{conv:B}",       "404 404 404 404 404 404 404 404 200 404 404 200 404", prepare="homeschool"),
    row("POST", "/homeschool/conversations/{conv:A}/messages", "404 404 404 404 403 404 201 404 404 404 201 404 404",
        {"body": "好的，謝謝老師"}, prepare="homeschool"),
    row("POST", "/homeschool/conversations/{conv:B}/messages", "404 404 404 404 404 404 404 404 201 404 404 201 404",
        {"body": "好的，謝謝老師"}, prepare="homeschool"),
    row("POST", "/homeschool/conversations/{conv:A}/read", "404 404 404 404 200 404 200 404 404 404 200 404 404", in_place=True, prepare="homeschool"),
    row("POST", "/homeschool/conversations/{conv:B}/read", "404 404 404 404 404 404 404 404 200 404 404 200 404", in_place=True, prepare="homeschool"),
    # homeschool: notifications and notification settings (everyone their own; another's notification 404)
    row("GET", "/homeschool/notifications",                "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="homeschool"),
    row("POST", "/homeschool/notifications/read",          "200 200 200 200 200 200 200 200 200 200 200 200 200",
        {}, in_place=True, prepare="homeschool"),
    row("POST", "/homeschool/notifications/read",          "404 404 404 404 404 404 404 404 404 404 200 404 404",
        {"ids": ["{notif:A}"]}, in_place=True, prepare="homeschool"),
    row("POST", "/homeschool/notifications/read",          "404 404 404 404 404 404 404 404 404 404 404 200 404",
        {"ids": ["{notif:B}"]}, in_place=True, prepare="homeschool"),
    row("GET", "/homeschool/preferences",                  "200 200 200 200 200 200 200 200 200 200 200 200 200", prepare="homeschool"),
    row("PUT", "/homeschool/preferences",                  "200 200 200 200 200 200 200 200 200 200 200 200 200",
        {"email": False, "quiet_enabled": True, "quiet_start": "22:00", "quiet_end": "06:30"}, prepare="homeschool"),
]
# fmt: on


def _row_id(r: Row) -> str:
    how = " (session)" if r.session else ""
    if r.upload:
        how += f" ({r.upload} file{', ' + str(r.body) if r.body else ''})"
    return f"{r.method} {r.path}{how}"


def _counts() -> dict[str, int]:
    """conftest.row_counts() and the tables of devices, helpdesk and homeschool (their APIs
    write there too)."""
    counts = row_counts()
    for label in ("devices", "helpdesk", "homeschool"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            counts[model._meta.db_table] = model._default_manager.count()
    return counts


def _cell(api_world: ApiWorld, own_token: Any, r: Row, role: str) -> str:
    """One cell of the row: what went wrong for this role ("" when nothing)."""
    api_world.objects["token:own"] = own_token(api_world.users[role])
    client = api_world.session(role) if r.session else api_world.bearer(role)
    path, body = api_world.fill(r.path), api_world.fill(r.body)
    if r.upload:
        name, content, *rest = UPLOADS[r.upload]
        ctype, field = rest if rest else ("text/csv", "file")
        body = {**(body or {}), field: SimpleUploadedFile(name, content, ctype)}
    before = _counts()
    response = call(client, r.method, path, body, multipart=bool(r.upload))
    if response.status_code != r.expect[role]:
        return f"{response.status_code}, not {r.expect[role]}: {response.content.decode()[:300]}"
    if r.method != "GET":
        after = _counts()
        if r.reads and after != before:
            return "a POST that only reads changed something"
        if not r.reads and response.status_code < 300 and not r.in_place and after == before:
            return "an allowed write changed nothing"
        if not r.reads and response.status_code >= 300 and after != before:
            return "a refused write changed something"
    return ""


@pytest.mark.parametrize("r", [pytest.param(r, id=_row_id(r)) for r in MATRIX])
def test_tenancy_matrix(api_world: ApiWorld, own_token: Any, r: Row) -> None:
    """One row, every role. The world (and the row's preparation) is built once; each role's
    request runs in a savepoint rolled back afterwards, so every role meets the same rows,
    exactly as if each had a database of its own."""
    if r.prepare:
        PREPARE[r.prepare](api_world)
    # Objects a placeholder makes on first use are made here, outside the roles' savepoints
    # (except {token:own}: each role's own token, made in _cell).
    if "{token:own}" not in r.path:
        api_world.fill(r.path)
        api_world.fill(r.body)
    problems = []
    for role in ROLES:
        with transaction.atomic():
            problem = _cell(api_world, own_token, r, role)
            transaction.set_rollback(True)
        if problem:
            problems.append(f"{role}: {problem}")
    assert not problems, "\n".join(problems)


def _operations() -> set[str]:
    """Every operation registered on the API, as 'METHOD /path' (from the routers)."""
    prefix = "/api/v1"
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path.removeprefix(prefix)}"
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_matrix_covers_every_endpoint() -> None:
    assert {r.endpoint for r in MATRIX} == _operations()


# Which matrix rows reach each model of the apps the API exposes.
MODEL_ROWS = {
    "orgs.county": "/counties",
    "orgs.district": "/districts",
    "orgs.school": "/schools",
    "orgs.academicterm": "/terms",
    "orgs.person": "/people",
    "orgs.membership": "/people/{public_id}/memberships",
    "orgs.schoolclass": "/classes",
    "orgs.enrollment": "/classes/{public_id}/students",
    "orgs.guardianship": "/guardianships",
    "orgs.promotionoffice": "/office",
    "orgs.officegroup": "/office/groups",
    "orgs.workplan": "/office/plans",
    "orgs.officetask": "/office/tasks/{public_id}",
    "core.auditentry": "/audit",
    "accounts.user": "/me",
    "accounts.apitoken": "/tokens",
    "framework.frameworkversion": "/framework",
    "framework.item": "/framework",
    "framework.strategy": "/framework/strategies/{code}",
    "framework.strategymapping": "/framework/strategies/{code}",
    "framework.cycle": "/cycles",
    "framework.assessment": "/assessments/{public_id}",
    "framework.response": "/responses/{public_id}",
    "framework.evidence": "/responses/{public_id}/evidence",
    "framework.assessmentevent": "/assessments/{public_id}/events",
    "framework.indicatorvalue": "/assessments/{public_id}/accept",
    "framework.plan": "/plans",
    "framework.goal": "/plans/{public_id}/goals",
    "framework.action": "/actions/{public_id}",
    "framework.case": "/cases",
}


def test_matrix_covers_every_model() -> None:
    """Every model of orgs, core, accounts and framework is reached by some row of the
    matrix."""
    labels = {
        model._meta.label_lower
        for app in ("orgs", "core", "accounts", "framework")
        for model in apps.get_app_config(app).get_models()
    }
    assert labels == set(MODEL_ROWS), "add the new model to MODEL_ROWS and the matrix"
    paths = {r.endpoint.split(" ", 1)[1] for r in MATRIX}
    assert set(MODEL_ROWS.values()) <= paths
