"""The pages of file mappings and imports, and the DTSS xAPI profile page.

Who may do what: county administrators add, change, delete mappings and import files for their
county's platforms; county staff and MOE viewers download a mapping's example and JSON only;
another county's administrator gets a 404; school roles get a 403. (The import jobs themselves:
test_mapping_jobs.py.)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from dtss.analytics import platform_selectors, profile
from dtss.analytics.models import FileMapping, MappingImport, Platform
from dtss.analytics.platform_services import mapping_create, platform_create
from dtss.analytics.tests.test_mapping import GOOD_ROWS, HOME, SPEC, csv_bytes
from dtss.core.models import AuditEntry
from dtss.lrs.models.statements import Statement

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[4] / "docs" / "xapi-profile.md"


@pytest.fixture(autouse=True)
def _english(world: Any) -> Any:
    original = world.client

    def client(name: str) -> Any:
        c = original(name)
        c.cookies["dtss_language"] = "en"
        return c

    world.client = client
    with translation.override("en"):
        yield


def _platform(world: Any, county: str) -> Platform:
    return platform_create(
        actor=None,
        county=world.counties[county],
        name="因材網",
        kind="adl",
        account_home_page=HOME if county == "A" else HOME + "/b",
        purpose="p",
        data_fields="d",
        legal_basis="l",
    )


@pytest.fixture
def pa(world: Any) -> Platform:
    return _platform(world, "A")


@pytest.fixture
def pb(world: Any) -> Platform:
    return _platform(world, "B")


@pytest.fixture
def fmap(pa: Platform) -> FileMapping:
    return mapping_create(actor=None, platform=pa, name="練習紀錄", spec=SPEC)


def base(platform: Platform) -> str:
    return f"/analytics/platforms/{platform.public_id}/"


def murl(fmap: FileMapping, suffix: str) -> str:
    return f"{base(fmap.platform)}mappings/{fmap.public_id}/{suffix}"


FORM = {
    "name": "影片紀錄",
    "actor_column": "帳號",
    "verb_column": "",
    "verb_values": "",
    "verb": "experienced",
    "activity_column": "影片",
    "subject_column": "科目",
    "subject_values": "數 = math\n英 → english",
    "score_kind": "scaled",
    "success_values": "是, Y",
    "completion_values": "",
    "duration_column": "分鐘",
    "duration_unit": "minutes",
    "timestamp_column": "時間",
}


# --------------------------------------------------------------------------- mapping forms


def test_admin_adds_a_mapping_with_the_form(world: Any, pa: Platform) -> None:
    client = world.client("a_admin")
    assert client.get(base(pa) + "mappings/new/").status_code == 200
    response = client.post(base(pa) + "mappings/new/", FORM)
    item = FileMapping.objects.get()
    assert response.status_code == 302 and response["Location"] == murl(item, "import/")
    assert item.county == world.counties["A"] and item.platform == pa
    assert item.spec["verb"] == "experienced" and item.spec["verb_column"] == ""
    assert item.spec["subject_values"] == {"數": "math", "英": "english"}
    assert item.spec["success_values"] == ["是", "Y"]
    assert item.spec["duration_unit"] == "minutes"
    html = client.get(base(pa)).content.decode()
    assert "影片紀錄" in html and "<code>帳號</code>" in html


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"actor_column": ""}, "actor_column"),
        ({"verb_column": "動作"}, "verb"),
        ({"verb": "", "verb_column": ""}, "verb_column"),
        ({"subject": "math"}, "subject"),
        ({"score_column": "分", "score_kind": "raw"}, "score_max"),
        ({"timestamp_column": ""}, "timestamp_column"),
    ],
    ids=["no-actor", "verb-twice", "no-verb", "subject-twice", "raw-no-max", "no-time"],
)
def test_mapping_form_names_the_bad_setting(
    world: Any, pa: Platform, change: dict[str, str], field: str
) -> None:
    response = world.client("a_admin").post(base(pa) + "mappings/new/", {**FORM, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not FileMapping.objects.exists()


def test_mapping_form_bad_value_line(world: Any, pa: Platform) -> None:
    response = world.client("a_admin").post(
        base(pa) + "mappings/new/", {**FORM, "subject_values": "數 = math\njust a word"}
    )
    assert response.status_code == 200
    assert "Line 2" in str(response.context["form"].non_field_errors())
    assert not FileMapping.objects.exists()


def test_mapping_json_round_trip(world: Any, pa: Platform, fmap: FileMapping) -> None:
    client = world.client("a_admin")
    downloaded = client.get(murl(fmap, "mapping.json"))
    assert downloaded.status_code == 200
    assert json.loads(downloaded.content)["spec"] == fmap.spec
    response = client.post(
        base(pa) + "mappings/new/",
        {"name": "copy", "spec_json": downloaded.content.decode(), "score_kind": "scaled",
         "duration_unit": "seconds"},
    )  # fmt: skip
    assert response.status_code == 302
    assert FileMapping.objects.get(name="copy").spec == fmap.spec
    bad = client.post(
        base(pa) + "mappings/new/",
        {"name": "bad", "spec_json": '{"actor_column": "a", "shoe_size": 3}',
         "score_kind": "scaled", "duration_unit": "seconds"},
    )  # fmt: skip
    assert bad.status_code == 200 and "spec_json" in bad.context["form"].errors
    broken = client.post(
        base(pa) + "mappings/new/",
        {"name": "bad", "spec_json": "{not json", "score_kind": "scaled",
         "duration_unit": "seconds"},
    )  # fmt: skip
    assert "spec_json" in broken.context["form"].errors
    assert FileMapping.objects.count() == 2


def test_edit_and_delete_a_mapping(world: Any, fmap: FileMapping) -> None:
    client = world.client("a_admin")
    form = client.get(murl(fmap, "edit/")).context["form"]
    assert form.initial["name"] == "練習紀錄"
    assert "觀看 = experienced" in form.initial["verb_values"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(score_column="", success_column="正確")
    assert client.post(murl(fmap, "edit/"), data).status_code == 302
    fmap.refresh_from_db()
    assert fmap.spec["success_column"] == "正確" and fmap.spec["score_column"] == ""
    assert fmap.spec["verb_values"] == SPEC["verb_values"]
    entry = AuditEntry.objects.get(action="analytics.mapping_update")
    assert entry.detail["spec"]["to"]["success_column"] == "正確"
    assert client.get(murl(fmap, "delete/")).status_code == 200
    assert client.post(murl(fmap, "delete/")).status_code == 302
    assert not FileMapping.objects.exists()
    assert AuditEntry.objects.filter(action="analytics.mapping_delete").exists()


# --------------------------------------------------------------------------- tenancy


WRITE_VIEWS = ["edit/", "delete/", "import/"]
READ_VIEWS = ["example.csv", "mapping.json"]


@pytest.mark.parametrize("suffix", WRITE_VIEWS + READ_VIEWS)
def test_other_county_admin_gets_404_on_mappings(
    world: Any, fmap: FileMapping, suffix: str
) -> None:
    client = world.client("b_admin")
    assert client.get(murl(fmap, suffix)).status_code == 404
    assert client.post(murl(fmap, suffix), {"name": "x"}).status_code in (404, 405)
    assert FileMapping.objects.get().name == "練習紀錄"


def test_mapping_under_another_platform_is_404(world: Any, fmap: FileMapping, pb: Platform) -> None:
    url = f"{base(pb)}mappings/{fmap.public_id}/edit/"
    assert world.client("b_admin").get(url).status_code == 404
    assert world.client("a_admin").get(url).status_code == 404


@pytest.mark.parametrize("user", ["a_staff", "moe"])
def test_readers_download_but_do_not_change(world: Any, fmap: FileMapping, user: str) -> None:
    client = world.client(user)
    for suffix in READ_VIEWS:
        assert client.get(murl(fmap, suffix)).status_code == 200, suffix
    for suffix in WRITE_VIEWS:
        assert client.get(murl(fmap, suffix)).status_code == 403, suffix
    upload = SimpleUploadedFile("e.csv", csv_bytes(GOOD_ROWS))
    response = client.post(murl(fmap, "import/"), {"file": upload, "action": "preview"})
    assert response.status_code == 403
    assert client.post(murl(fmap, "delete/")).status_code == 403
    assert client.post(base(fmap.platform) + "mappings/new/", FORM).status_code == 403
    assert FileMapping.objects.count() == 1 and not Statement.objects.exists()
    assert not MappingImport.objects.exists()


@pytest.mark.parametrize("user", ["elem_admin", "elem_teacher", "elem_student", "outsider"])
def test_school_roles_get_403_on_mappings(world: Any, fmap: FileMapping, user: str) -> None:
    client = world.client(user)
    for suffix in WRITE_VIEWS + READ_VIEWS:
        assert client.get(murl(fmap, suffix)).status_code == 403, suffix


# --------------------------------------------------------------------------- preview and import


def _upload(content: bytes, name: str = "export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_preview_keeps_the_file_and_import_runs_in_the_background(
    world: Any, fmap: FileMapping, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client("a_admin")
    page = client.get(murl(fmap, "import/"))
    assert page.status_code == 200 and "<code>學生帳號</code>" in page.content.decode()
    content = csv_bytes(GOOD_ROWS)

    preview = client.post(murl(fmap, "import/"), {"file": _upload(content), "action": "preview"})
    html = preview.content.decode()
    assert preview.status_code == 200
    job = MappingImport.objects.get()
    assert job.status == MappingImport.Status.PREVIEWED and job.created_by == world.users["a_admin"]
    assert job.sha256 == hashlib.sha256(content).hexdigest() and job.size == len(content)
    assert (job.rows, job.statements) == (3, 3)
    assert 'id="preview-table"' in html and f'data-job="{job.public_id}"' in html
    assert 'id="preview-rows">3<' in html and "elem_student2" in html
    start = f"{base(fmap.platform)}imports/{job.public_id}/start/"
    assert f'action="{start}"' in html  # the file is not sent again
    assert not Statement.objects.exists()  # a preview stores nothing

    fragment = client.post(
        murl(fmap, "import/"),
        {"file": _upload(content), "action": "preview"},
        headers={"X-Requested-With": "fetch"},
    )
    text = fragment.content.decode()
    assert "<html" not in text and 'id="confirm-import"' in text
    assert MappingImport.objects.count() == 2  # each preview keeps its file

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(start)
    detail = f"{base(fmap.platform)}imports/{job.public_id}/"
    assert started.status_code == 302 and started["Location"] == detail
    job.refresh_from_db()
    assert job.status == MappingImport.Status.DONE
    assert (job.rows, job.statements, job.new_statements) == (3, 3, 3)
    assert Statement.objects.count() == 3
    html = client.get(detail).content.decode()
    assert 'id="job-done"' in html and 'id="job-new">3<' in html
    assert 'id="retry-import"' not in html and "<script>" not in html  # finished: no polling
    platform_page = client.get(base(fmap.platform)).content.decode()
    assert f'data-import="{job.public_id}"' in platform_page and "File imported" in platform_page

    # the same file again (its second preview): stores nothing twice
    second = MappingImport.objects.get(status=MappingImport.Status.PREVIEWED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base(fmap.platform)}imports/{second.public_id}/start/")
    second.refresh_from_db()
    assert (second.status, second.new_statements) == ("done", 0)
    assert Statement.objects.count() == 3
    assert (
        "0 new records, 3 already stored"
        in client.get(f"{base(fmap.platform)}imports/{second.public_id}/status.json").json()[
            "progress_text"
        ]
    )


def test_bad_file_preview_lists_problems_and_keeps_nothing(world: Any, fmap: FileMapping) -> None:
    client = world.client("a_admin")
    rows = [GOOD_ROWS[0], "elem_student,觀看,v-1,,數學,,,60,someday,,,"]
    content = csv_bytes(rows)
    response = client.post(murl(fmap, "import/"), {"file": _upload(content), "action": "preview"})
    html = response.content.decode()
    assert 'id="problems"' in html and "someday" in html and "<code>時間</code>" in html
    assert "data-job=" not in html and 'id="confirm-import"' not in html
    assert not MappingImport.objects.exists()  # a file that cannot be imported is not kept
    assert not Statement.objects.exists()


def test_upload_form_errors(world: Any, fmap: FileMapping) -> None:
    client = world.client("a_admin")
    response = client.post(
        murl(fmap, "import/"), {"file": _upload(b"a,b", "notes.pdf"), "action": "preview"}
    )
    assert "Only .csv and .xlsx" in response.content.decode()
    response = client.post(murl(fmap, "import/"), {"action": "preview"})
    assert response.status_code == 200 and response.context["form"].errors


# --------------------------------------------------------------------------- the profile


@pytest.mark.parametrize("user", ["a_admin", "elem_teacher", "elem_student"])
def test_profile_page_lists_the_profile(world: Any, user: str) -> None:
    response = world.client(user).get("/analytics/platforms/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    for term in (*profile.VERBS, *profile.ACTIVITY_KINDS):
        assert term.iri in html and term.zh in html
    for code, (zh, _en) in profile.SUBJECTS.items():
        assert f"<code>{code}</code>" in html and zh in html
    for iri in (profile.EXT_SUBJECT, profile.EXT_GRADE, profile.EXT_NODE, profile.EXT_DOMAIN):
        assert iri in html
    assert "10800 seconds" in html  # the cap on one record's time


def test_profile_json(world: Any) -> None:
    data = world.client("elem_teacher").get("/analytics/platforms/profile.json").json()
    ids = {c["id"] for c in data["concepts"]}
    assert {v.iri for v in profile.VERBS} <= ids and profile.EXT_NODE in ids
    assert {s["code"] for s in data["subjects"]} == set(profile.SUBJECTS)


def test_profile_needs_a_login(client: Any) -> None:
    assert client.get("/analytics/platforms/profile/").status_code == 302


def test_docs_match_the_profile() -> None:
    """docs/xapi-profile.md carries the tables generated from profile.py; regenerate with
    `python -c "from dtss.analytics.platform_selectors import profile_markdown as m; print(m())"`
    (under DJANGO_SETTINGS_MODULE=dtss.settings) and paste between the markers."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("<!-- generated:start -->\n") + len("<!-- generated:start -->\n")
    end = text.index("<!-- generated:end -->")
    assert text[start:end] == platform_selectors.profile_markdown()
