from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dtss.conftest import World


@pytest.mark.parametrize(
    ("user", "shown", "not_shown"),
    [
        ("moe", ["宜蘭縣", "南投縣"], []),
        ("a_admin", ["南投縣"], ["宜蘭縣"]),
        ("elem_admin", ["南投國小"], ["南投國中", "宜蘭國小"]),
        ("elem_teacher", ["南投國小", "5年01班"], ["南投國中"]),
        ("elem_parent", ["elem_student", "5年01班"], ["elem_student2", "b_student"]),
        ("elem_student", ["5年01班", "elem_teacher"], ["elem_student2"]),
        ("outsider", [], ["南投國小"]),
    ],
)
def test_home_shows_each_role_its_own_scope(
    world: World, user: str, shown: list[str], not_shown: list[str]
) -> None:
    body = world.client(user).get(reverse("core:home")).content.decode()
    for text in shown:
        assert text in body, text
    for text in not_shown:
        assert text not in body, text


def test_navigation_follows_role(world: World) -> None:
    teacher = world.client("elem_teacher").get(reverse("core:home")).content.decode()
    parent = world.client("elem_parent").get(reverse("core:home")).content.decode()
    assert reverse("orgs:school_list") in teacher and reverse("core:audit") not in teacher
    assert reverse("orgs:school_list") not in parent
    admin = world.client("elem_admin").get(reverse("core:home")).content.decode()
    assert reverse("imports:list") in admin and reverse("core:audit") in admin


def test_language_switch(world: World) -> None:
    client = world.client("elem_teacher")
    assert 'lang="zh-Hant-TW"' in client.get(reverse("core:home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("core:home")).content.decode()


def test_healthz(db: None) -> None:
    response = Client().get(reverse("core:healthz"))
    assert response.json() == {"status": "ok"}


def test_static_files_are_served_by_the_app(db: None) -> None:
    response = Client().get("/static/dtss/app.css")
    assert response.status_code == 200


def test_chinese_is_the_default_whatever_the_browser_says(world: World) -> None:
    client = world.client("elem_teacher")
    body = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-Hant-TW"' in body and "我的學校" in body
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="zh-TW").content.decode()
    assert 'lang="en"' in body and "My schools" in body


def test_client_address_behind_a_proxy(settings: Any) -> None:
    from django.test import RequestFactory

    from dtss.core.net import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.BEHIND_PROXY = True
    # The proxy's own entry (the last) counts; what the client wrote before it does not.
    assert client_ip(request) == "203.0.113.9"


def test_pages_load_nothing_from_other_hosts(world: World) -> None:
    import re

    client = world.client("a_admin")
    for url in ("/", "/api/v1/docs", reverse("orgs:school_list"), reverse("accounts:login")):
        body = client.get(url).content.decode()
        external = re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', body)
        assert external == [], (url, external)
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', body):
            assert client.get(asset).status_code == 200, asset
