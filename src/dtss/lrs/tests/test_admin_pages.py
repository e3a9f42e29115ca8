"""The LRS administration pages under /lrs/: credentials, the statement browser, statistics.

Who may do what (the project's convention: a page a role may not use is a 403, another
tenant's object a 404 like a missing one):
- county administrators manage their county's credentials, superusers every one (and national
  ones); MOE viewers read every credential and change none;
- county staff, MOE viewers and superusers read statements and statistics of their stores;
- school staff, teachers, students, parents and accounts without a role get 403.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dtss.accounts.models import User
from dtss.core.models import AuditEntry
from dtss.lrs.credential_services import credential_create
from dtss.lrs.models import Credential
from dtss.lrs.models.statements import Statement
from dtss.lrs.statement_services import statements_store
from dtss.lrs.tests.conftest import XapiClient

CREDENTIALS = "/lrs/credentials/"
NEW = "/lrs/credentials/new/"
STATEMENTS = "/lrs/statements/"
EXPORT = "/lrs/statements/export.jsonl"
STATS = "/lrs/stats/"
VERB = "http://adlnet.gov/expapi/verbs/"

pytestmark = pytest.mark.django_db


def statement(
    actor: str = "s1", verb: str = "completed", activity: str = "lesson-1", name: str = ""
) -> dict[str, Any]:
    agent: dict[str, Any] = {
        "objectType": "Agent",
        "account": {"homePage": "https://example.org", "name": actor},
    }
    if name:
        agent["name"] = name
    return {
        "id": str(uuid.uuid4()),
        "actor": agent,
        "verb": {"id": VERB + verb, "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": f"https://example.org/activities/{activity}",
            "definition": {"name": {"en-US": activity.title()}},
        },
    }


def add_statements(
    credential: Credential, count: int = 1, *, days_ago: float = 0, **kw: Any
) -> list[str]:
    """Store `count` statements through the write path, then move `stored` back if asked."""
    ids = statements_store(
        store=credential.county_id or 0,
        credential_id=credential.pk,
        authority=credential.authority,
        statements=[statement(**kw) for _ in range(count)],
        version="1.0.3",
    )
    if days_ago:
        Statement.objects.filter(statement_id__in=ids).update(
            stored=timezone.now() - timedelta(days=days_ago)
        )
    return ids


def cred(county: Any, name: str, scopes: list[str] | None = None, platform: str = "") -> Credential:
    return credential_create(
        name=name, county=county, scopes=scopes or ["statements/write"], platform=platform
    ).credential


@pytest.fixture
def creds(world: Any) -> dict[str, Credential]:
    return {
        "A": cred(world.counties["A"], "因材網 南投", platform="因材網"),
        "B": cred(world.counties["B"], "酷課雲 宜蘭", platform="酷課雲"),
        "N": cred(None, "national", platform="均一"),
    }


@pytest.fixture
def root(world: Any) -> Client:
    user = User.objects.create_superuser(username="root", password="x", email="r@example.org")
    client = Client()
    client.force_login(user)
    return client


# --- credentials: who sees what ------------------------------------------------------------


def test_county_admin_sees_own_county_credentials_only(world: Any, creds: dict) -> None:
    response = world.client("a_admin").get(CREDENTIALS)
    assert response.status_code == 200
    html = response.content.decode()
    assert creds["A"].key in html
    assert creds["B"].key not in html
    assert creds["N"].key not in html
    assert NEW in html  # may create


def test_other_county_admin_gets_404_for_revoke(world: Any, creds: dict) -> None:
    """County B's administrator cannot see or revoke county A's credential (404, unchanged)."""
    url = f"/lrs/credentials/{creds['A'].public_id}/revoke/"
    client = world.client("b_admin")
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    creds["A"].refresh_from_db()
    assert creds["A"].revoked_at is None
    assert creds["A"].key not in client.get(CREDENTIALS).content.decode()


def test_moe_viewer_reads_every_credential_but_changes_none(world: Any, creds: dict) -> None:
    client = world.client("moe")
    html = client.get(CREDENTIALS).content.decode()
    for c in creds.values():
        assert c.key in html
    assert NEW not in html
    assert "/revoke/" not in html
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"name": "x", "county": "national"}).status_code == 403
    url = f"/lrs/credentials/{creds['A'].public_id}/revoke/"
    assert client.post(url).status_code == 404
    assert Credential.objects.count() == 3


@pytest.mark.parametrize(
    "user",
    [
        "a_staff",
        "elem_admin",
        "elem_teacher",
        "elem_student",
        "elem_parent",
        "outsider",
    ],
)
def test_others_get_403_for_credentials(world: Any, creds: dict, user: str) -> None:
    client = world.client(user)
    assert client.get(CREDENTIALS).status_code == 403
    assert client.get(NEW).status_code == 403
    url = f"/lrs/credentials/{creds['A'].public_id}/revoke/"
    assert client.post(url).status_code in (403, 404)
    creds["A"].refresh_from_db()
    assert creds["A"].revoked_at is None


@pytest.mark.parametrize(
    "user", ["elem_admin", "elem_teacher", "elem_student", "elem_parent", "outsider"]
)
def test_non_county_users_get_403_for_statements_and_stats(world: Any, user: str) -> None:
    client = world.client(user)
    for url in (STATEMENTS, STATS, EXPORT, f"{STATEMENTS}1/"):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_login(db: Any) -> None:
    for url in (CREDENTIALS, NEW, STATEMENTS, STATS):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_navigation_link_for_county_staff_not_teachers(world: Any) -> None:
    assert 'href="/lrs/statements/"' in world.client("a_staff").get("/").content.decode()
    assert 'href="/lrs/statements/"' in world.client("moe").get("/").content.decode()
    assert 'href="/lrs/statements/"' not in world.client("elem_teacher").get("/").content.decode()


def test_credential_list_shows_traffic_with_a_fixed_number_of_queries(
    world: Any, creds: dict
) -> None:
    """Last statement received and the last 7 days' count come from one GROUP BY query."""
    add_statements(creds["A"], 3)
    add_statements(creds["A"], 2, days_ago=10)
    client = world.client("a_admin")
    client.get(CREDENTIALS)  # warm up sessions and caches
    with CaptureQueriesContext(connection) as few:
        response = client.get(CREDENTIALS)
    row = _row(response, creds["A"].key)
    assert ">3<" in row  # 3 in the last 7 days (not the 2 older ones)
    assert timezone.localdate().isoformat() in row
    for i in range(5):
        c = cred(world.counties["A"], f"extra {i}")
        add_statements(c, 1)
    with CaptureQueriesContext(connection) as many:
        client.get(CREDENTIALS)
    assert len(many) == len(few)


def _row(response: Any, key: str) -> str:
    html = response.content.decode()
    start = html.index(f'data-key="{key}"')
    return html[start : html.index("</tr>", start)]


def test_credential_search_and_paging(world: Any, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    for i in range(3):
        cred(world.counties["A"], f"cred {i}", platform="均一")
    cred(world.counties["A"], "other", platform="Google Classroom")
    client = world.client("a_admin")
    html = client.get(CREDENTIALS, {"q": "google"}).content.decode()
    assert "other" in html and "cred 0" not in html
    html = client.get(CREDENTIALS, {"q": "均一"}).content.decode()
    assert "Page 1 of 2" in html or "第 1" in html
    assert "page=2" in html and "q=%E5%9D%87%E4%B8%80" in html
    assert client.get(CREDENTIALS, {"q": "nothing-like-this"}).status_code == 200


# --- credentials: create and revoke end to end ----------------------------------------------


def test_create_shows_secret_once_and_credential_works_until_revoked(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The page shows key, secret, endpoint and a curl example; GET /xapi/statements accepts
    the credential (not 401); after revocation (audited) it is a 401."""
    client = world.client("a_admin")
    form = client.get(NEW).content.decode()
    for platform in ("因材網", "酷課雲", "均一", "Google Classroom", "酷英網"):
        assert f'value="{platform}"' in form
    initial = client.get(NEW).context["form"]["scopes"].value()
    assert set(initial) == {"statements/write", "state", "profile"}
    response = client.post(
        NEW,
        {
            "name": "因材網 南投",
            "platform": "因材網",
            "county": str(world.counties["A"].pk),
            "scopes": ["statements/write", "statements/read"],
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    credential = Credential.objects.get(name="因材網 南投")
    secret = response.context["secret"]
    html = response.content.decode()
    assert credential.key in html and secret in html
    assert "http://127.0.0.1:8000/xapi/" in html or "/xapi/statements" in html
    assert "curl -u" in html
    assert credential.county == world.counties["A"]
    assert credential.scopes == ["statements/write", "statements/read"]
    assert credential.created_by == world.users["a_admin"]
    assert credential.secret_matches(secret) and secret not in credential.secret_hash
    assert AuditEntry.objects.filter(
        action="lrs.credential_create", object_id=str(credential.public_id)
    ).exists()
    # The secret is never shown again.
    assert secret not in client.get(CREDENTIALS).content.decode()

    platform = XapiClient(credential.key, secret)
    assert platform.get("statements").status_code != 401

    url = f"/lrs/credentials/{credential.public_id}/revoke/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and credential.key in confirm.content.decode()
    credential.refresh_from_db()
    assert credential.revoked_at is None  # GET only asks
    with django_capture_on_commit_callbacks(execute=True):  # the auth cache is cleared on commit
        response = client.post(url)
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    assert AuditEntry.objects.filter(
        action="lrs.credential_revoke", object_id=str(credential.public_id)
    ).exists()
    assert platform.get("statements").status_code == 401
    assert "revoked" in _row(client.get(CREDENTIALS), credential.key) or "已撤銷" in _row(
        client.get(CREDENTIALS), credential.key
    )


def test_superuser_creates_a_national_credential(world: Any, root: Client) -> None:
    response = root.post(NEW, {"name": "MOE platform", "county": "national", "scopes": ["all"]})
    assert response.status_code == 200
    credential = Credential.objects.get(name="MOE platform")
    assert credential.county is None and credential.scopes == ["all"]


def test_county_admin_may_not_choose_national(world: Any) -> None:
    html = world.client("a_admin").get(NEW).content.decode()
    assert 'value="national"' not in html
    assert f'value="{world.counties["B"].pk}"' not in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "  ", "scopes": ["state"]}, "name"),
        ({"name": "x" * 121, "scopes": ["state"]}, "name"),
        ({"name": "ok", "scopes": []}, "scopes"),
        ({"name": "ok", "scopes": ["statements/delete"]}, "scopes"),
        ({"name": "ok", "scopes": ["state"], "county": "B"}, "county"),
        ({"name": "ok", "scopes": ["state"], "county": "national"}, "county"),
        ({"name": "ok", "scopes": ["state"], "county": ""}, "county"),
    ],
)
def test_bad_form_input_is_shown_by_the_field_and_nothing_is_created(
    world: Any, data: dict, field: str
) -> None:
    county_a, county_b = world.counties["A"], world.counties["B"]
    post = {"county": str(county_a.pk), **data}
    if post["county"] == "B":
        post["county"] = str(county_b.pk)
    response = world.client("a_admin").post(NEW, post)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert Credential.objects.count() == 0
    assert not AuditEntry.objects.filter(action="lrs.credential_create").exists()


# --- statements ------------------------------------------------------------------------------


def test_county_staff_see_their_county_statements_only(world: Any, creds: dict) -> None:
    add_statements(creds["A"], 2, actor="alice-a")
    add_statements(creds["B"], 2, actor="bob-b")
    add_statements(creds["N"], 1, actor="nat-n")
    html = world.client("a_staff").get(STATEMENTS).content.decode()
    assert "alice-a" in html and "bob-b" not in html and "nat-n" not in html
    html = world.client("b_admin").get(STATEMENTS).content.decode()
    assert "bob-b" in html and "alice-a" not in html
    html = world.client("moe").get(STATEMENTS).content.decode()
    assert "alice-a" in html and "bob-b" in html and "nat-n" in html


def test_statement_columns(world: Any, creds: dict) -> None:
    add_statements(creds["A"], 1, actor="acc-1", name="王小明", verb="experienced")
    html = world.client("a_staff").get(STATEMENTS).content.decode()
    assert "王小明" in html  # the actor's name over the account
    assert "experienced" in html
    assert "Lesson-1" in html  # the activity's name
    assert "因材網" in html  # the platform


def test_superuser_sees_the_national_store(world: Any, root: Client, creds: dict) -> None:
    add_statements(creds["N"], 1, actor="nat-n")
    assert "nat-n" in root.get(STATEMENTS).content.decode()


def test_statement_filters(world: Any, creds: dict) -> None:
    other = cred(world.counties["A"], "酷英網 南投", platform="酷英網")
    add_statements(creds["A"], 1, actor="alice", verb="completed")
    add_statements(creds["A"], 1, actor="amy", verb="attempted", days_ago=5)
    add_statements(other, 1, actor="anna", verb="completed")
    client = world.client("a_staff")

    def seen(**params: Any) -> set[str]:
        html = client.get(STATEMENTS, params).content.decode()
        return {a for a in ("alice", "amy", "anna") if f">{a}<" in html}

    assert seen() == {"alice", "amy", "anna"}
    assert seen(platform=str(other.public_id)) == {"anna"}
    assert seen(verb="attempted") == {"amy"}
    assert seen(verb=VERB + "completed") == {"alice", "anna"}
    assert seen(actor="AN") == {"anna"}
    today = timezone.localdate()
    assert seen(since=today.isoformat()) == {"alice", "anna"}
    assert seen(until=(today - timedelta(days=1)).isoformat()) == {"amy"}
    # A bad filter shows the error and lists nothing.
    response = client.get(STATEMENTS, {"since": "2026-13-40"})
    assert "since" in response.context["form"].errors
    response = client.get(
        STATEMENTS, {"since": today.isoformat(), "until": (today - timedelta(days=2)).isoformat()}
    )
    assert "until" in response.context["form"].errors
    # County B's credential is no choice for county A's staff.
    response = client.get(STATEMENTS, {"platform": str(creds["B"].public_id)})
    assert "platform" in response.context["form"].errors


def test_statement_keyset_paging(world: Any, creds: dict, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    add_statements(creds["A"], 5)
    client = world.client("a_staff")
    seen: list[int] = []
    url, params = STATEMENTS, {}
    for _ in range(5):
        response = client.get(url, params)
        seen += [r.statement.pk for r in response.context["rows"]]
        if not response.context["after"]:
            break
        params = {"after": response.context["after"]}
    assert len(seen) == 5 == len(set(seen))
    assert seen == sorted(seen, reverse=True)


def test_statement_detail_pretty_json_and_tenancy(world: Any, creds: dict) -> None:
    add_statements(creds["A"], 1, actor="alice")
    add_statements(creds["B"], 1, actor="bob")
    a = Statement.objects.get(store=world.counties["A"].pk)
    b = Statement.objects.get(store=world.counties["B"].pk)
    response = world.client("a_staff").get(f"{STATEMENTS}{a.pk}/")
    assert response.status_code == 200
    assert json.loads(response.context["pretty"]) == json.loads(a.payload)
    assert '\n  "actor"' in response.context["pretty"]
    assert world.client("a_staff").get(f"{STATEMENTS}{b.pk}/").status_code == 404
    assert world.client("a_staff").get(f"{STATEMENTS}999999/").status_code == 404


def test_statement_export_json_lines(world: Any, creds: dict) -> None:
    add_statements(creds["A"], 2, actor="old", days_ago=3)
    add_statements(creds["A"], 1, actor="new")
    add_statements(creds["B"], 1, actor="bob")
    response = world.client("a_staff").get(EXPORT, {"actor": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["actor"]["account"]["name"] for line in lines] == [
        "old",
        "old",
        "new",
    ]
    stored = {s.statement_id.hex: s.payload for s in Statement.objects.all()}
    assert all(line == stored[uuid.UUID(json.loads(line)["id"]).hex] for line in lines)
    response = world.client("a_staff").get(EXPORT, {"actor": "new"})
    assert len(b"".join(response.streaming_content).splitlines()) == 1
    assert AuditEntry.objects.filter(action="lrs.statements_export").count() == 2


def test_statement_empty_state_explains_and_links(world: Any) -> None:
    html = world.client("a_admin").get(STATEMENTS).content.decode()
    assert 'id="no-statements"' in html and 'href="/lrs/credentials/"' in html
    html = world.client("a_staff").get(STATEMENTS).content.decode()
    assert 'id="no-statements"' in html


# --- statistics ------------------------------------------------------------------------------


def test_stats_per_platform_per_day(world: Any, creds: dict) -> None:
    other = cred(world.counties["A"], "均一 南投", platform="均一")
    add_statements(creds["A"], 3)
    add_statements(creds["A"], 2, days_ago=2)
    add_statements(other, 4, days_ago=2)
    add_statements(creds["A"], 7, days_ago=40)  # outside the 30 days
    add_statements(creds["B"], 5)  # another county
    response = world.client("a_staff").get(STATS)
    assert response.status_code == 200
    ctx = response.context
    assert ctx["platforms"] == ["因材網", "均一"] or sorted(ctx["platforms"]) == ["因材網", "均一"]
    table = {
        day: dict(zip(ctx["platforms"], counts, strict=True)) for day, counts, _ in ctx["rows"]
    }
    today = timezone.localdate()
    assert table[today] == {"因材網": 3, "均一": 0}
    assert table[today - timedelta(days=2)] == {"因材網": 2, "均一": 4}
    assert len(table) == 2
    assert ctx["grand_total"] == 9


def test_stats_is_one_group_by_query(world: Any, creds: dict) -> None:
    from dtss.lrs.admin_selectors import stats_per_platform_day

    for i in range(4):
        add_statements(cred(world.counties["A"], f"p{i}", platform=f"p{i}"), 1, days_ago=i)
    with CaptureQueriesContext(connection) as queries:
        counts = stats_per_platform_day(stores=[world.counties["A"].pk], days=30)
    assert len(queries) == 2  # the GROUP BY and the credential names
    assert sum(c.count for c in counts) == 4
