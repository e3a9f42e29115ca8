"""The platform register under /analytics/platforms/: who may see and change what, the
governance record (saved and audited), credentials, deactivation, record counts, exports.

Roles (the `world` fixture): a_admin manages county A's platforms; a_staff reads them; b_admin
manages county B's and gets a 404 on A's; moe reads every county's and changes none; school
roles, students, parents and accounts without a role get a 403.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from dtss.analytics.models import Platform
from dtss.analytics.platform_services import (
    platform_create,
    platform_credential_issue,
    platform_deactivate,
    platform_update,
)
from dtss.analytics.tests.conftest import stmt
from dtss.core.models import AuditEntry
from dtss.lrs.models import Credential

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(world: Any) -> Any:
    """Pages and messages in English, so that the tests read English text."""
    original = world.client

    def client(name: str) -> Any:
        c = original(name)
        c.cookies["dtss_language"] = "en"
        return c

    world.client = client
    with translation.override("en"):
        yield


LIST = "/analytics/platforms/"
NEW = "/analytics/platforms/new/"
T0 = dt.datetime(2026, 10, 5, 1, 0, tzinfo=dt.UTC)

GOVERNANCE = {
    "purpose": "支援學生學習與教師教學",
    "data_fields": "帳號、學習活動、作答結果、時間",
    "retention_days": 365,
    "legal_basis": "個人資料保護法第 15 條",
}


def make_platform(world: Any, county: str = "A", name: str = "因材網", **kw: Any) -> Platform:
    admin = world.users["a_admin" if county == "A" else "b_admin"]
    values: dict[str, Any] = {
        "kind": "adl",
        "account_home_page": "https://adl.edu.tw" if county == "A" else "https://adl.edu.tw/b",
        **GOVERNANCE,
    }
    values.update(kw)
    return platform_create(actor=admin, county=world.counties[county], name=name, **values)


def form_data(**kw: Any) -> dict[str, Any]:
    data = {
        "name": "酷課雲",
        "kind": "cooc",
        "account_home_page": "https://cooc.tp.edu.tw",
        "identity_scheme": "openid_sub",
        "default_subject": "",
        **GOVERNANCE,
    }
    data.update(kw)
    return data


@pytest.fixture
def pa(world: Any) -> Platform:
    return make_platform(world)


@pytest.fixture
def pb(world: Any) -> Platform:
    return make_platform(world, "B", "均一")


def url(platform: Platform, suffix: str = "") -> str:
    return f"/analytics/platforms/{platform.public_id}/{suffix}"


# --------------------------------------------------------------------------- who sees what


def test_county_admin_lists_own_county_only(world: Any, pa: Platform, pb: Platform) -> None:
    response = world.client("a_admin").get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert str(pa.public_id) in html and str(pb.public_id) not in html
    assert NEW in html


def test_county_staff_reads_without_changing(world: Any, pa: Platform) -> None:
    client = world.client("a_staff")
    html = client.get(LIST).content.decode()
    assert str(pa.public_id) in html and NEW not in html
    assert client.get(url(pa)).status_code == 200
    assert 'id="edit-platform"' not in client.get(url(pa)).content.decode()
    assert client.get(NEW).status_code == 403
    for suffix in ("edit/", "deactivate/", "credential/", "mappings/new/"):
        assert client.get(url(pa, suffix)).status_code == 403, suffix
    assert client.post(url(pa, "edit/"), form_data(name="x")).status_code == 403
    assert client.post(url(pa, "deactivate/")).status_code == 403
    pa.refresh_from_db()
    assert pa.name == "因材網" and pa.active


def test_moe_reads_every_county_and_changes_none(world: Any, pa: Platform, pb: Platform) -> None:
    client = world.client("moe")
    html = client.get(LIST).content.decode()
    assert str(pa.public_id) in html and str(pb.public_id) in html
    assert client.get(url(pb)).status_code == 200
    assert client.get(NEW).status_code == 403
    assert client.post(url(pa, "credential/")).status_code == 403
    assert client.post(url(pb, "reactivate/")).status_code == 403
    assert not Credential.objects.exists()


@pytest.mark.parametrize(
    "suffix",
    ["", "edit/", "deactivate/", "credential/", "mappings/new/"],
    ids=["detail", "edit", "deactivate", "credential", "mapping-new"],
)
def test_other_county_admin_gets_404(world: Any, pa: Platform, suffix: str) -> None:
    client = world.client("b_admin")
    assert client.get(url(pa, suffix)).status_code == 404
    if suffix:
        assert client.post(url(pa, suffix), form_data(name="stolen")).status_code == 404
    pa.refresh_from_db()
    assert pa.name == "因材網" and pa.active and pa.credential is None
    assert not pa.mappings.exists()


def test_other_county_admin_cannot_reactivate(world: Any, pa: Platform) -> None:
    platform_deactivate(actor=world.users["a_admin"], platform=pa)
    assert world.client("b_admin").post(url(pa, "reactivate/")).status_code == 404
    pa.refresh_from_db()
    assert not pa.active


@pytest.mark.parametrize(
    "user",
    ["elem_admin", "elem_teacher", "elem_student", "elem_parent", "outsider"],
)
def test_school_roles_and_others_get_403(world: Any, pa: Platform, user: str) -> None:
    client = world.client(user)
    for target in (LIST, NEW, url(pa), url(pa, "edit/"), LIST + "export.csv"):
        assert client.get(target).status_code == 403, target
    assert client.post(url(pa, "credential/")).status_code == 403
    assert not Credential.objects.exists()


def test_anonymous_is_sent_to_login(pa: Platform, client: Any) -> None:
    response = client.get(url(pa))
    assert response.status_code == 302 and "login" in response["Location"]


def test_unknown_platform_is_404(world: Any) -> None:
    assert (
        world.client("a_admin")
        .get("/analytics/platforms/00000000-0000-4000-8000-000000000000/")
        .status_code
        == 404
    )


# --------------------------------------------------------------------------- list


def test_list_search_status_and_paging(world: Any, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    for i in range(3):
        make_platform(world, name=f"平台 {i}", account_home_page=f"https://p{i}.example.org")
    target = make_platform(world, name="酷英網", kind="coolenglish", account_home_page="")
    platform_deactivate(actor=world.users["a_admin"], platform=target)
    client = world.client("a_admin")
    html = client.get(LIST, {"q": "酷英"}).content.decode()
    assert "酷英網" in html and "平台 0" not in html
    assert "酷英網" in client.get(LIST, {"status": "inactive"}).content.decode()
    assert "酷英網" not in client.get(LIST, {"status": "active", "sort": "-name"}).content.decode()
    page2 = client.get(LIST, {"page": 2}).content.decode()
    assert "4" in page2  # the pager counts every item
    empty = client.get(LIST, {"q": "nothing-like-this"}).content.decode()
    assert "No platform matches" in empty


def test_empty_register_says_what_to_do(world: Any) -> None:
    html = world.client("a_admin").get(LIST).content.decode()
    assert "Register the first one" in html
    html = world.client("a_staff").get(LIST).content.decode()
    assert "A county administrator registers them." in html


def test_register_export_csv_and_xlsx(world: Any, pa: Platform, pb: Platform) -> None:
    import openpyxl

    client = world.client("a_admin")
    response = client.get(LIST + "export.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "因材網" in text and GOVERNANCE["legal_basis"] in text and "均一" not in text
    response = client.get(LIST + "export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [c.value for c in sheet[2]]
    assert "因材網" in values and 365 in values
    assert client.get(LIST + "export.pdf").status_code == 404


# --------------------------------------------------------------------------- create and edit


def test_admin_registers_platform_with_governance_record(world: Any) -> None:
    client = world.client("a_admin")
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, form_data(default_subject="english"))
    platform = Platform.objects.get(name="酷課雲")
    assert response.status_code == 302 and response["Location"] == url(platform)
    assert platform.county == world.counties["A"]  # the admin's one county, chosen for them
    assert platform.identity_scheme == "openid_sub" and platform.default_subject == "english"
    assert platform.purpose == GOVERNANCE["purpose"]
    assert platform.retention_days == 365
    assert platform.legal_basis == GOVERNANCE["legal_basis"]
    assert platform.created_by == world.users["a_admin"]
    entry = AuditEntry.objects.get(action="analytics.platform_create")
    assert entry.object_id == str(platform.public_id)
    assert entry.county == world.counties["A"]
    assert entry.detail["fields"]["legal_basis"] == GOVERNANCE["legal_basis"]
    html = client.get(url(platform)).content.decode()
    assert GOVERNANCE["data_fields"] in html and "English" in html


def test_admin_cannot_register_into_another_county(world: Any) -> None:
    client = world.client("a_admin")
    client.post(NEW, form_data(county=world.counties["B"].pk))
    assert not Platform.objects.filter(county=world.counties["B"]).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("retention_days", 0),
        ("retention_days", 99999),
        ("purpose", ""),
        ("legal_basis", ""),
        ("kind", "myspace"),
        ("account_home_page", "not a url"),
        ("default_subject", "astrology"),
    ],
    ids=["retention-0", "retention-huge", "no-purpose", "no-basis", "kind", "homepage", "subject"],
)
def test_bad_platform_form_names_the_field(world: Any, field: str, value: Any) -> None:
    response = world.client("a_admin").post(NEW, form_data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Platform.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="analytics.").exists()


def test_duplicate_name_and_home_page_are_refused(world: Any, pa: Platform) -> None:
    client = world.client("a_admin")
    response = client.post(NEW, form_data(name=pa.name, account_home_page="https://x.example"))
    assert response.status_code == 200 and "name" in response.context["form"].errors
    response = client.post(NEW, form_data(account_home_page="https://adl.edu.tw/"))
    assert response.status_code == 200
    assert "account_home_page" in response.context["form"].errors
    assert Platform.objects.count() == 1
    # the same name in another county is fine
    make_platform(world, "B", pa.name)


def test_service_validates_too(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        platform_create(
            actor=None,
            county=world.counties["A"],
            name="x",
            kind="adl",
            retention_days=0,
        )
    assert "retention_days" in exc.value.message_dict
    assert not Platform.objects.exists()


def test_edit_saves_governance_fields_and_audits_each_change(world: Any, pa: Platform) -> None:
    client = world.client("a_admin")
    form = client.get(url(pa, "edit/")).context["form"]
    assert form.initial["legal_basis"] == GOVERNANCE["legal_basis"]
    data = form_data(
        name=pa.name,
        kind="adl",
        account_home_page=pa.account_home_page,
        identity_scheme="external_id",
        retention_days=180,
        legal_basis="教育部與縣市政府合作協議",
    )
    response = client.post(url(pa, "edit/"), data)
    assert response.status_code == 302
    pa.refresh_from_db()
    assert pa.retention_days == 180 and pa.legal_basis == "教育部與縣市政府合作協議"
    entry = AuditEntry.objects.get(action="analytics.platform_update")
    assert entry.detail["changed"]["retention_days"] == {"from": 365, "to": 180}
    assert entry.detail["changed"]["legal_basis"]["from"] == GOVERNANCE["legal_basis"]
    assert set(entry.detail["governance"]) == {"retention_days", "legal_basis"}
    assert "purpose" not in entry.detail["changed"]
    # the page shows the history of changes
    html = client.get(url(pa)).content.decode()
    assert 'id="history"' in html and "a_admin" in html
    # saving without a change writes no entry
    client.post(url(pa, "edit/"), data)
    assert AuditEntry.objects.filter(action="analytics.platform_update").count() == 1


def test_update_service_refuses_unknown_fields(world: Any, pa: Platform) -> None:
    with pytest.raises(ValidationError):
        platform_update(actor=None, platform=pa, county=world.counties["B"])
    with pytest.raises(ValidationError):
        platform_update(actor=None, platform=pa, retention_days=-3)
    pa.refresh_from_db()
    assert pa.county == world.counties["A"] and pa.retention_days == 365


# --------------------------------------------------------------------------- credentials


def test_issue_credential_shows_secret_once_and_links_it(world: Any, pa: Platform) -> None:
    client = world.client("a_admin")
    assert client.get(url(pa, "credential/")).status_code == 200
    response = client.post(url(pa, "credential/"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    html = response.content.decode()
    assert secret in html and "/xapi/" in html
    pa.refresh_from_db()
    credential = pa.credential
    assert credential is not None
    assert credential.county == world.counties["A"]
    assert credential.scopes == ["statements/write"]
    assert credential.secret_matches(secret)
    assert secret not in client.get(url(pa)).content.decode()  # never shown again
    assert credential.key in client.get(url(pa)).content.decode()
    entry = AuditEntry.objects.get(action="analytics.platform_credential_issue")
    assert entry.detail["key"] == credential.key and secret not in str(entry.detail)


def test_new_credential_revokes_the_previous_one(world: Any, pa: Platform) -> None:
    first = platform_credential_issue(actor=world.users["a_admin"], platform=pa).credential
    second = platform_credential_issue(actor=world.users["a_admin"], platform=pa).credential
    first.refresh_from_db()
    pa.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert pa.credential == second


def test_credential_works_and_records_count_for_the_platform(
    world: Any, pa: Platform, learning: Any
) -> None:
    issued = platform_credential_issue(actor=world.users["a_admin"], platform=pa)
    # a record whose account home page is not the platform's still counts for it: by credential
    learning.send(
        [stmt("elem_student", when=T0, home="https://other.example"), stmt("nobody", when=T0)],
        credential_id=issued.credential.pk,
    )
    learning.roll()
    counts_html = world.client("a_staff").get(url(pa)).content.decode()
    response = world.client("a_staff").get(url(pa))
    counts = response.context["counts"]
    assert counts.actors == 2 and counts.resolved == 1 and counts.unresolved == 1
    assert counts.records == 2
    assert counts.recent == 2 and counts.last_stored is not None
    assert 'id="count-unresolved">1<' in counts_html
    assert f"/analytics/actors/?county={pa.county.code}&amp;platform={pa.pk}" in counts_html


def test_detail_shows_weekly_records(world: Any, pa: Platform, learning: Any) -> None:
    today = timezone.localdate()
    when = dt.datetime.combine(today, dt.time(10, 0), tzinfo=timezone.get_current_timezone())
    learning.send([stmt("elem_student", when=when, seconds=600)])
    learning.roll()
    response = world.client("a_admin").get(url(pa))
    weeks = response.context["counts"].weeks
    assert len(weeks) == 8
    assert weeks[-1].events == 1 and weeks[-1].minutes == 10.0
    assert 'id="weeks"' in response.content.decode()


def test_deactivate_revokes_credential_and_blocks_issuing(world: Any, pa: Platform) -> None:
    client = world.client("a_admin")
    credential = platform_credential_issue(actor=world.users["a_admin"], platform=pa).credential
    assert client.get(url(pa, "deactivate/")).status_code == 200
    assert client.post(url(pa, "deactivate/")).status_code == 302
    pa.refresh_from_db()
    credential.refresh_from_db()
    assert not pa.active and credential.revoked_at is not None
    assert AuditEntry.objects.filter(action="analytics.platform_deactivate").exists()
    response = client.post(url(pa, "credential/"))
    assert response.status_code == 200 and "deactivated" in response.content.decode()
    assert Credential.objects.count() == 1
    assert client.post(url(pa, "reactivate/")).status_code == 302
    pa.refresh_from_db()
    assert pa.active
    assert AuditEntry.objects.filter(action="analytics.platform_reactivate").exists()
