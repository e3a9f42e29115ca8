"""Fixtures for the API tests: the shared `world`, plus an office per county, people without a
login, audit entries per tenant, framework objects (cycles, assessments, plans, cases; made on
first use), learning platforms and learning records (made on first use) and clients that
authenticate with a real token."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.middleware.csrf import _get_new_csrf_string  # type: ignore[attr-defined]
from django.test import Client

from dtss.accounts.models import ApiToken, User
from dtss.accounts.services import api_token_create
from dtss.conftest import World
from dtss.core.services import audit_record
from dtss.orgs import services as org_services
from dtss.orgs.models import District, Guardianship, Role

BASE = "/api/v1"

# Operations that need no authentication: answering a survey with an access code (a kiosk or a
# learning platform submits for an anonymous respondent; the caller is never identified).
PUBLIC = {"GET /surveys/answer/{code}", "POST /surveys/answer"}

# The roles of the tenancy matrix, in column order.
ROLES = [
    "moe",
    "a_admin",
    "a_staff",
    "b_admin",
    "elem_admin",
    "junior_admin",
    "elem_teacher",
    "junior_teacher",
    "b_teacher",
    "elem_student",
    "elem_parent",
    "b_parent",
    "outsider",
]


@dataclass
class ApiWorld:
    """The world plus named objects the API tests address by key ("school:A-elem" …)."""

    world: World
    objects: dict[str, Any] = field(default_factory=dict)
    built: set[str] = field(default_factory=set)  # framework parts made so far

    @property
    def users(self) -> dict[str, User]:
        return self.world.users

    def key_of(self, kind: str, value: str) -> str:
        """Replace a placeholder's value: counties and strategies by code, a programme as it
        is, a day (homeschool) as YYYY-MM-DD, the rest by public id. Framework objects (and
        platforms) are made the first time a placeholder names one."""
        if kind == "programme":
            return value
        if kind == "day":
            return self.objects[f"day:{value}"].isoformat()
        if kind in FRAMEWORK_KINDS:
            self.framework(FRAMEWORK_KINDS[kind])
            if f"{kind}:{value}" not in self.objects:
                self.framework()
        obj = self.objects[f"{kind}:{value}"]
        return obj.code if kind in ("county", "strategy", "acode") else str(obj.public_id)

    def framework(self, *parts: str) -> None:
        """Framework objects in both counties, made on first use (most API tests do not need
        them), one part at a time: "strategies", "cycles" (with assessments, responses and
        evidence), "cases" and "plans"; no part named: all of them. "platforms" and "learning"
        (learning analytics) are made only when named."""
        for part in parts or [p for p in FRAMEWORK_PARTS if p not in ON_REQUEST]:
            if part not in self.built:
                for needed in FRAMEWORK_PARTS[part][0]:
                    self.framework(needed)
                FRAMEWORK_PARTS[part][1](self)
                self.built.add(part)

    def fill(self, template: Any) -> Any:
        """Resolve "{kind:key}" placeholders in a path or (nested) body."""
        if isinstance(template, str):
            return re.sub(r"\{(\w+):([^}]+)\}", lambda m: self.key_of(m[1], m[2]), template)
        if isinstance(template, dict):
            return {k: self.fill(v) for k, v in template.items()}
        if isinstance(template, list):
            return [self.fill(v) for v in template]
        return template

    def name_of(self, public_id: str) -> str:
        """The key of an object by its public id (for comparing list contents)."""
        for key, obj in self.objects.items():
            if str(getattr(obj, "public_id", "")) == public_id:
                return key.split(":", 1)[1]
        return f"?{public_id}"

    def bearer(self, name: str) -> Client:
        _token, key = api_token_create(user=self.users[name], name="tests")
        return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {key}"})

    def session(self, name: str) -> Client:
        """A signed-in browser session that sends Django's CSRF token, as the pages do."""
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.users[name])
        secret = _get_new_csrf_string()
        client.cookies["csrftoken"] = secret
        client.defaults["HTTP_X_CSRFTOKEN"] = secret
        return client


def call(client: Client, method: str, path: str, body: Any = None, multipart: bool = False) -> Any:
    """A request with a JSON body, or with `multipart` a form with files (a file upload)."""
    kwargs: dict[str, Any] = {}
    if multipart:
        kwargs = {"data": body or {}}
    elif body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method.lower())(BASE + path, **kwargs)


def row_counts() -> dict[str, int]:
    """Rows per table of the apps the API writes to (a cheap "nothing changed" check)."""
    counts = {}
    for label in ("orgs", "core", "accounts", "framework", "surveys", "analytics", "lrs"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            counts[model._meta.db_table] = model._default_manager.count()
    return counts


def _fw_strategies(w: ApiWorld) -> None:
    """strategy:S1.D1 (official) and strategy:A-local (county A's own)."""
    from dtss.framework import services as fw
    from dtss.framework.models import Item, Strategy
    from dtss.framework.selectors import current_version

    version = current_version()
    w.objects["strategy:S1.D1"] = Strategy.objects.get(item__version=version, code="S1.D1")
    w.objects["strategy:A-local"] = fw.strategy_local_add(
        county=w.world.counties["A"],
        item=Item.objects.get(version=version, code="S1"),
        stage="A",
        text_zh="本縣自訂策略",
    )


def _fw_cycles(w: ApiWorld) -> None:
    """A cycle per county: cycle:A (the county's own, A-elem, A-junior), cycle:B (the county's
    own, B-elem); assessment:, response: (S1.D1, or L1.D1 for the county's own) and evidence:
    (a text) keyed A-county, A-elem, A-junior, B-county, B-elem."""
    from datetime import date

    from dtss.framework import services as fw
    from dtss.framework.models import Evidence

    world, o = w.world, w.objects
    for key, schools in (("A", ["A-elem", "A-junior"]), ("B", ["B-elem"])):
        cycle = fw.cycle_open(
            county=world.counties[key],
            name="114學年度第1學期",
            opens_on=date(2025, 9, 1),
            deadline=date(2099, 12, 31),
            schools=[world.schools[s] for s in schools],
            actor=None,
        )
        o[f"cycle:{key}"] = cycle
        for name, school in [(f"{key}-county", None), *((s, world.schools[s]) for s in schools)]:
            assessment = cycle.assessments.get(school=school)
            code = "L1.D1" if school is None else "S1.D1"
            response = assessment.responses.get(strategy__code=code)
            o[f"assessment:{name}"], o[f"response:{name}"] = assessment, response
            # Made directly (evidence_add would recompute the stages each time: slow here).
            o[f"evidence:{name}"] = Evidence.objects.create(
                county_id=response.county_id,
                school_id=response.school_id,
                response=response,
                kind=Evidence.Kind.TEXT,
                title="校務會議紀錄",
                text="校務會議紀錄",
            )


def _fw_cases(w: ApiWorld) -> None:
    """case:A-elem and case:B-elem, published from evidence:A-elem-published / B-elem-published."""
    from dtss.framework import plan_services
    from dtss.framework.models import Evidence

    o = w.objects
    for name in ("A-elem", "B-elem"):
        response = o[f"response:{name}"]
        published = Evidence.objects.create(
            county_id=response.county_id,
            school_id=response.school_id,
            response=response,
            kind=Evidence.Kind.TEXT,
            title="家長日簡報",
            text="家長日簡報",
        )
        o[f"evidence:{name}-published"] = published
        o[f"case:{name}"] = plan_services.case_publish(
            evidence=published, title="家長日", summary="分享", actor=None
        )


def _fw_plans(w: ApiWorld) -> None:
    """fplan:A-elem, A-county, B-elem; goal: and action: A-elem, B-elem."""
    from dtss.framework import plan_services

    world, o = w.world, w.objects
    for name, county, school in (
        ("A-elem", "A", "A-elem"),
        ("A-county", "A", None),
        ("B-elem", "B", "B-elem"),
    ):
        plan = plan_services.plan_create(
            county=world.counties[county],
            school=world.schools[school] if school else None,
            title=f"plan {name}",
            actor=None,
        )
        o[f"fplan:{name}"] = plan
        if school:
            goal = plan_services.goal_create(plan=plan, title="goal", actor=None)
            o[f"goal:{name}"] = goal
            o[f"action:{name}"] = plan_services.action_create(goal=goal, title="action", actor=None)


# Learning platforms: the account home page and the mapping of an export (docs/xapi-profile.md).
PLATFORM_HOME = "https://adl.edu.tw"
MAPPING_SPEC: dict[str, Any] = {
    "actor_column": "帳號",
    "verb_column": "動作",
    "activity_column": "活動",
    "subject_column": "科目",
    "duration_column": "秒數",
    "timestamp_column": "時間",
}
EXPORT_HEADER = "帳號,動作,活動,科目,秒數,時間"


def export_csv(*rows: str) -> bytes:
    """A platform's CSV export with the columns of MAPPING_SPEC."""
    return ("\r\n".join([EXPORT_HEADER, *rows]) + "\r\n").encode("utf-8-sig")


def _platforms(w: ApiWorld) -> None:
    """platform:A and platform:B (因材網 of each county, active, each with mapping:A / mapping:B
    and import:A / import:B, an import of a bad file that failed) and platform:A-off,
    platform:B-off (deactivated)."""
    from dtss.analytics import platform_services as ps

    world, o = w.world, w.objects
    for key in ("A", "B"):
        for suffix, name in (("", "因材網"), ("-off", "舊平台")):
            platform = ps.platform_create(
                actor=None,
                county=world.counties[key],
                name=name,
                kind="adl" if not suffix else "other",
                account_home_page=PLATFORM_HOME if not suffix else f"https://old-{key}.example.org",
                purpose="學習歷程分析",
                data_fields="帳號、學習時間、作答結果",
                legal_basis="個人資料保護法第16條",
            )
            o[f"platform:{key}{suffix}"] = platform
        ps.platform_deactivate(actor=None, platform=o[f"platform:{key}-off"])
        o[f"mapping:{key}"] = ps.mapping_create(
            actor=None, platform=o[f"platform:{key}"], name="學習紀錄匯出", spec=MAPPING_SPEC
        )
        job = ps.mapping_import_submit(
            actor=None,
            mapping=o[f"mapping:{key}"],
            filename="export.csv",
            content=export_csv("elem_student,answered,math-q-1,數學,45,yesterday"),
        )
        o[f"import:{key}"] = ps.mapping_import_job_run(job_id=job.pk)  # what the worker does
        assert o[f"import:{key}"].status == "failed"


def _learning(w: ApiWorld) -> None:
    """Learning records on platform A/B for elem_student, elem_student2 (A-elem 5-1) and
    b_student (B-elem 3-2) in October 2025 (term 114-1), rolled up in both counties."""
    import datetime as dt

    from dtss.analytics import profile
    from dtss.analytics.rollups import rollup_process
    from dtss.lrs.statement_services import statements_store

    def statement(name: str, day: int, verb: str, subject: str, seconds: int) -> dict[str, Any]:
        when = dt.datetime(2025, 10, day, 9, 30, tzinfo=dt.UTC)
        return {
            "actor": {"objectType": "Agent", "account": {"homePage": PLATFORM_HOME, "name": name}},
            "verb": {"id": profile.ADL_VERBS + verb, "display": {"en-US": verb}},
            "object": {"objectType": "Activity", "id": f"{PLATFORM_HOME}/activities/{subject}-1"},
            "result": {"duration": f"PT{seconds}S", "success": True, "score": {"scaled": 0.8}},
            "timestamp": when.isoformat(),
            "context": {"extensions": {profile.EXT_SUBJECT: subject}},
        }

    authority = {"objectType": "Agent", "account": {"homePage": "https://dtss.tw", "name": "t"}}
    for county, statements in (
        (
            "A",
            [
                statement("elem_student", 6, "answered", "math", 600),
                statement("elem_student", 7, "experienced", "chinese", 900),
                statement("elem_student2", 8, "answered", "math", 300),
            ],
        ),
        ("B", [statement("b_student", 7, "answered", "english", 450)]),
    ):
        store = w.world.counties[county].pk
        statements_store(
            store=store,
            credential_id=None,
            authority=authority,
            statements=statements,
            version="1.0.3",
        )
        rollup_process(county_id=store, margin_ms=0)


# part: (parts it needs, builder); the parts after "plans" are not framework objects and are
# made only when named (a placeholder of theirs or w.framework("platforms")).
FRAMEWORK_PARTS: dict[str, tuple[tuple[str, ...], Any]] = {
    "strategies": ((), _fw_strategies),
    "cycles": ((), _fw_cycles),
    "cases": (("cycles",), _fw_cases),
    "plans": ((), _fw_plans),
    "platforms": ((), _platforms),
    "learning": (("platforms",), _learning),
}
ON_REQUEST = {"platforms", "learning"}  # not made by w.framework() without arguments
# placeholder kind: the part that makes its objects
FRAMEWORK_KINDS = {
    "strategy": "strategies",
    "cycle": "cycles",
    "assessment": "cycles",
    "response": "cycles",
    "evidence": "cycles",
    "case": "cases",
    "fplan": "plans",
    "goal": "plans",
    "action": "plans",
    "platform": "platforms",
    "mapping": "platforms",
    "import": "platforms",
}


@pytest.fixture
def api_world(world: World) -> ApiWorld:
    w = ApiWorld(world=world)
    a, b = world.counties["A"], world.counties["B"]
    o = w.objects
    o["county:A"], o["county:B"] = a, b
    o["district:A"] = District.objects.get(county=a, code="A1")
    o["district:B"] = District.objects.get(county=b, code="B1")
    for key, school in world.schools.items():
        o[f"school:{key}"] = school
    for key, school_class in world.classes.items():
        o[f"class:{key.split(' ')[0]}"] = school_class
    for key, person in world.people.items():
        o[f"person:{key}"] = person
    # People without a login, one per county, for "give a login".
    for key, school in (("new_a_teacher", "A-elem"), ("new_b_teacher", "B-elem")):
        person = org_services.person_create(
            county=world.schools[school].county, name=key, external_id=key
        )
        org_services.membership_create(
            person=person, role=Role.TEACHER, school=world.schools[school]
        )
        o[f"person:{key}"] = person
    for key, link in (
        ("A", Guardianship.objects.get(child=world.people["elem_student"])),
        ("B", Guardianship.objects.get(child=world.people["b_student"])),
    ):
        o[f"link:{key}"] = link
    # The promotion office of each county, with a group, a plan and a task.
    for key, county, admin in (("A", a, "a_admin"), ("B", b, "b_admin")):
        office = org_services.office_create(county=county, name=f"office {key}")
        group = org_services.office_group_create(
            office=office,
            kind="administration",
            name=f"group {key}",
            lead=world.people[admin],
        )
        plan = org_services.work_plan_create(office=office, roc_year=114, title=f"plan {key}")
        task = org_services.office_task_create(plan=plan, title=f"task {key}", group=group)
        o[f"office:{key}"], o[f"group:{key}"] = office, group
        o[f"plan:{key}"], o[f"task:{key}"] = plan, task
    # One audit entry per school and per county office, to see whose log shows what.
    for key in ("A-elem", "A-junior", "B-elem"):
        school = world.schools[key]
        audit_record(
            actor=None,
            action="test.mark",
            county=school.county,
            school=school,
            detail={"key": key},
        )
    for key, county in (("A", a), ("B", b)):
        audit_record(actor=None, action="test.mark", county=county, detail={"key": f"county-{key}"})
    # Tokens: one of another user, for "not yours is 404".
    other, _key = api_token_create(user=world.users["elem_student2"], name="someone else's")
    o["token:other"] = other
    return w


@pytest.fixture
def own_token() -> Any:
    def make(user: User) -> ApiToken:
        token, _key = api_token_create(user=user, name="mine")
        return token

    return make
