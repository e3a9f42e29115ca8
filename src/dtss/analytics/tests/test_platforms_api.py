"""The JSON API of the platform register (api_platforms.router), mounted here on a test API at
/test-api/ with the project's authentication and error handling (the lead mounts the same router
under /api/v1/)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import path
from django.utils import translation
from ninja import NinjaAPI

from dtss.analytics.api_platforms import router
from dtss.analytics.models import FileMapping, MappingImport, Platform
from dtss.analytics.platform_services import mapping_create, platform_create
from dtss.analytics.tests.test_mapping import GOOD_ROWS, HOME, SPEC, csv_bytes
from dtss.api import errors
from dtss.api.auth import SessionAuth, TokenAuth
from dtss.core.models import AuditEntry
from dtss.lrs.models import Credential
from dtss.lrs.models.statements import Statement
from dtss.urls import urlpatterns as project_urls

api = NinjaAPI(
    title="platforms test",
    version="platforms-test",
    urls_namespace="platforms_test_api",
    auth=[TokenAuth(), SessionAuth()],
)
errors.install(api)
api.add_router("/", router)
urlpatterns = [path("test-api/", api.urls), *project_urls]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
API = "/test-api/analytics/platforms"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def pa(world: Any) -> Platform:
    return platform_create(
        actor=None,
        county=world.counties["A"],
        name="因材網",
        kind="adl",
        account_home_page=HOME,
        purpose="p",
        data_fields="d",
        legal_basis="l",
    )


@pytest.fixture
def pb(world: Any) -> Platform:
    return platform_create(actor=None, county=world.counties["B"], name="均一", kind="junyi")


@pytest.fixture
def fmap(pa: Platform) -> FileMapping:
    return mapping_create(actor=None, platform=pa, name="練習紀錄", spec=SPEC)


BODY = {
    "name": "酷課雲",
    "kind": "cooc",
    "account_home_page": "https://cooc.tp.edu.tw",
    "identity_scheme": "openid_sub",
    "purpose": "學習支持",
    "data_fields": "帳號、活動",
    "retention_days": 400,
    "legal_basis": "個資法",
}


def test_list_is_scoped(world: Any, pa: Platform, pb: Platform) -> None:
    data = world.client("a_staff").get(API).json()
    assert data["count"] == 1 and data["items"][0]["id"] == str(pa.public_id)
    assert data["items"][0]["legal_basis"] == "l"
    assert world.client("moe").get(API).json()["count"] == 2
    assert world.client("elem_teacher").get(API).status_code == 403
    assert world.client("elem_admin").get(f"{API}/{pa.public_id}").status_code == 403
    assert world.client("b_admin").get(f"{API}/{pa.public_id}").status_code == 404


def test_create_update_and_audit(world: Any) -> None:
    client = world.client("a_admin")
    response = client.post(API, BODY, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["county"] == world.counties["A"].code and data["retention_days"] == 400
    assert data["counts"]["actors"] == 0 and data["mappings"] == []
    pid = data["id"]
    response = client.patch(
        f"{API}/{pid}", {"retention_days": 200}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["retention_days"] == 200
    entry = AuditEntry.objects.get(action="analytics.platform_update")
    assert entry.detail["changed"] == {"retention_days": {"from": 400, "to": 200}}
    bad = client.patch(f"{API}/{pid}", {"retention_days": 0}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "retention_days"
    other = client.post(
        API,
        {**BODY, "name": "x", "county": world.counties["B"].code},
        content_type="application/json",
    )
    assert other.status_code == 422 and other.json()["detail"][0]["field"] == "county"
    assert Platform.objects.count() == 1


@pytest.mark.parametrize("user", ["a_staff", "moe", "elem_admin"])
def test_readers_and_school_roles_cannot_write(world: Any, pa: Platform, user: str) -> None:
    client = world.client(user)
    assert client.post(API, BODY, content_type="application/json").status_code == 403
    target = f"{API}/{pa.public_id}"
    assert client.patch(target, {"name": "x"}, content_type="application/json").status_code == 403
    assert client.post(f"{target}/credential").status_code == 403
    assert client.post(f"{target}/deactivate").status_code == 403
    pa.refresh_from_db()
    assert pa.name == "因材網" and pa.active and not Credential.objects.exists()


def test_other_county_admin_gets_404(world: Any, pa: Platform, fmap: FileMapping) -> None:
    client = world.client("b_admin")
    target = f"{API}/{pa.public_id}"
    assert client.patch(target, {"name": "x"}, content_type="application/json").status_code == 404
    assert client.post(f"{target}/credential").status_code == 404
    assert client.get(f"{target}/mappings").status_code == 404
    assert client.delete(f"{target}/mappings/{fmap.public_id}").status_code == 404
    assert FileMapping.objects.exists()


def test_credential_deactivate_reactivate(world: Any, pa: Platform) -> None:
    client = world.client("a_admin")
    response = client.post(f"{API}/{pa.public_id}/credential")
    assert response.status_code == 201
    issued = response.json()
    credential = Credential.objects.get(key=issued["key"])
    assert credential.secret_matches(issued["secret"]) and issued["scopes"] == ["statements/write"]
    detail = client.get(f"{API}/{pa.public_id}").json()
    assert detail["credential"]["key"] == issued["key"] and "secret" not in str(detail)
    assert client.post(f"{API}/{pa.public_id}/deactivate").json()["active"] is False
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    assert client.post(f"{API}/{pa.public_id}/credential").status_code == 422
    assert client.post(f"{API}/{pa.public_id}/reactivate").json()["active"] is True


def test_mappings_crud(world: Any, pa: Platform) -> None:
    client = world.client("a_admin")
    base = f"{API}/{pa.public_id}/mappings"
    created = client.post(base, {"name": "m", "spec": SPEC}, content_type="application/json")
    assert created.status_code == 201
    mid = created.json()["id"]
    bad = client.post(
        base, {"name": "n", "spec": {**SPEC, "verb": "flew"}}, content_type="application/json"
    )
    assert bad.status_code == 422 and {d["field"] for d in bad.json()["detail"]} == {"verb"}
    assert [m["name"] for m in client.get(base).json()] == ["m"]
    patched = client.patch(f"{base}/{mid}", {"name": "m2"}, content_type="application/json")
    assert patched.json()["name"] == "m2"
    assert world.client("a_staff").get(f"{base}/{mid}").json()["spec"]["actor_column"] == "學生帳號"
    assert client.delete(f"{base}/{mid}").status_code == 204
    assert not FileMapping.objects.exists()


def test_preview_and_import(
    world: Any, fmap: FileMapping, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client("a_admin")
    base = f"{API}/{fmap.platform.public_id}/mappings/{fmap.public_id}"
    jobs = f"{API}/{fmap.platform.public_id}/imports"
    content = csv_bytes(GOOD_ROWS)
    preview = client.post(f"{base}/preview", {"file": SimpleUploadedFile("e.csv", content)})
    assert preview.status_code == 200, preview.content
    data = preview.json()
    assert (data["rows"], data["statements"], data["problem_count"]) == (3, 3, 0)
    assert data["sha256"] == hashlib.sha256(content).hexdigest()
    assert data["preview"][0]["actor"]["account"]["name"] == "elem_student"
    assert not Statement.objects.exists() and not MappingImport.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(
            f"{base}/import",
            {"file": SimpleUploadedFile("e.csv", content), "sha256": data["sha256"]},
        )
    assert queued.status_code == 202, queued.content
    job = queued.json()
    assert job["status"] == "queued" and job["active"] is True  # answered before it ran
    assert job["sha256"] == data["sha256"] and job["mapping"] == str(fmap.public_id)
    done = client.get(f"{jobs}/{job['id']}").json()
    assert (done["status"], done["active"], done["percent"]) == ("done", False, 100)
    assert (done["rows"], done["statements"], done["new"], done["problems"]) == (3, 3, 3, [])
    assert Statement.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"{base}/import", {"file": SimpleUploadedFile("e.csv", content)})
    assert client.get(f"{jobs}/{again.json()['id']}").json()["new"] == 0
    assert Statement.objects.count() == 3

    bad_file = csv_bytes(["elem_student,跳舞,v,,數學,,,1,2026-10-05 10:00,,,"])
    with django_capture_on_commit_callbacks(execute=True):
        bad = client.post(f"{base}/import", {"file": SimpleUploadedFile("e.csv", bad_file)})
    assert bad.status_code == 202
    failed = client.get(f"{jobs}/{bad.json()['id']}").json()
    assert failed["status"] == "failed" and failed["new"] == 0
    assert [(p["row"], p["column"]) for p in failed["problems"]] == [(2, "動作")]
    assert Statement.objects.count() == 3

    wrong = client.post(f"{base}/import", {"file": SimpleUploadedFile("e.pdf", content)})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "file"
    other = client.post(
        f"{base}/import", {"file": SimpleUploadedFile("e.csv", content), "sha256": "0" * 64}
    )
    assert other.status_code == 422 and other.json()["detail"][0]["field"] == "sha256"
    assert MappingImport.objects.count() == 3  # the refused files were not kept
    assert (
        world.client("a_staff")
        .post(f"{base}/import", {"file": SimpleUploadedFile("e.csv", content)})
        .status_code
        == 403
    )


def test_failed_import_is_retried(
    world: Any, fmap: FileMapping, django_capture_on_commit_callbacks: Any
) -> None:
    """The platform had no account home page: the import fails; once it is set, a retry imports
    the file the job kept."""
    client = world.client("a_admin")
    Platform.objects.filter(pk=fmap.platform_id).update(account_home_page="")
    base = f"{API}/{fmap.platform.public_id}/mappings/{fmap.public_id}"
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(
            f"{base}/import", {"file": SimpleUploadedFile("e.csv", csv_bytes(GOOD_ROWS))}
        )
    target = f"{API}/{fmap.platform.public_id}/imports/{queued.json()['id']}"
    failed = client.get(target).json()
    problem = failed["problems"][0]  # in the language of the request (zh-Hant here)
    assert failed["status"] == "failed" and problem["row"] is None
    assert "homePage" in problem["message"]
    Platform.objects.filter(pk=fmap.platform_id).update(account_home_page=HOME)
    for user, code in (("a_staff", 403), ("elem_admin", 403), ("b_admin", 404)):
        assert world.client(user).post(f"{target}/retry").status_code == code, user
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"{target}/retry")
    assert retried.status_code == 202 and retried.json()["status"] == "queued"
    done = client.get(target).json()
    assert (done["status"], done["new"], done["problems"]) == ("done", 3, [])
    again = client.post(f"{target}/retry")
    assert again.status_code == 422  # done: nothing to retry
    assert Statement.objects.count() == 3


def test_import_status_tenancy(
    world: Any, fmap: FileMapping, pb: Platform, django_capture_on_commit_callbacks: Any
) -> None:
    base = f"{API}/{fmap.platform.public_id}/mappings/{fmap.public_id}"
    with django_capture_on_commit_callbacks(execute=True):
        queued = world.client("a_admin").post(
            f"{base}/import", {"file": SimpleUploadedFile("e.csv", csv_bytes(GOOD_ROWS))}
        )
    job_id = queued.json()["id"]
    target = f"{API}/{fmap.platform.public_id}/imports/{job_id}"
    assert world.client("a_admin").get(target).status_code == 200
    assert world.client("b_admin").get(target).status_code == 404
    assert world.client("b_admin").get(f"{API}/{pb.public_id}/imports/{job_id}").status_code == 404
    for user in ("a_staff", "moe", "elem_admin", "elem_teacher", "outsider"):
        assert world.client(user).get(target).status_code == 403, user
    assert world.client("a_admin").get(
        f"{API}/{fmap.platform.public_id}/imports/x"
    ).status_code in (
        404,
        422,
    )


def test_profile(world: Any) -> None:
    data = world.client("elem_student").get("/test-api/analytics/xapi-profile").json()
    assert data["type"] == "Profile" and data["concepts"]
