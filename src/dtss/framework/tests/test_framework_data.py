from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from dtss.conftest import World
from dtss.framework.models import Item, Strategy
from dtss.framework.selectors import current_version, framework_tree


def test_the_official_framework_is_loaded(db: Any) -> None:
    version = current_version()
    assert Item.objects.filter(version=version, level="county").count() == 7
    assert Item.objects.filter(version=version, level="school").count() == 5
    official = Strategy.objects.filter(item__version=version, county__isnull=True)
    assert official.count() == 102
    assert official.filter(item__level="county").count() == 57
    assert official.filter(item__level="school").count() == 45
    s = official.get(code="S1.M1")
    assert s.stage == "M" and "弱勢" not in s.text_zh and "平權" in s.text_zh
    assert "equity" in s.text_en
    # Every ID encodes its item and stage.
    for strategy in official.select_related("item"):
        item, rest = strategy.code.split(".")
        assert item == strategy.item.code and rest[0] == strategy.stage


def test_local_strategies_join_the_tree_of_their_county_only(world: World) -> None:
    item = Item.objects.get(code="S1", version=current_version())
    Strategy.objects.create(
        item=item,
        code="S1.AL1",
        stage="A",
        county=world.counties["A"],
        text_zh="縣本策略：行動載具維修志工",
        text_en="Local: repair volunteers",
    )
    tree_a = dict(framework_tree(county_id=world.counties["A"].pk, level="school"))
    tree_b = dict(framework_tree(county_id=world.counties["B"].pk, level="school"))
    codes_a = [s.code for s in tree_a[item]]
    assert "S1.AL1" in codes_a and codes_a.index("S1.AL1") > codes_a.index("S1.A3")
    assert "S1.AL1" not in [s.code for s in tree_b[item]]


def _export(fmt: str) -> str:
    out = io.StringIO()
    call_command("framework", "export", "--format", fmt, stdout=out)
    return out.getvalue()


def test_export_json_is_items_stages_strategies(db: Any) -> None:
    data = json.loads(_export("json"))
    assert [i["id"] for i in data["items"]] == [
        *(f"L{n}" for n in range(1, 8)),
        *(f"S{n}" for n in range(1, 6)),
    ]
    s1 = next(i for i in data["items"] if i["id"] == "S1")
    assert [st["stage"] for st in s1["stages"]] == ["D", "A", "M"]
    ids = [s["id"] for st in s1["stages"] for s in st["strategies"]]
    assert ids[:3] == ["S1.D1", "S1.D2", "S1.A1"] and "S1.M4" in ids
    assert sum(len(st["strategies"]) for i in data["items"] for st in i["stages"]) == 102


def test_export_csv(db: Any) -> None:
    rows = list(csv.DictReader(io.StringIO(_export("csv"))))
    assert len(rows) == 102
    assert rows[0]["id"] == "L1.D1" and rows[0]["text_zh"].startswith("依據地方特色")


@pytest.mark.parametrize("user", ["a_admin", "elem_admin", "elem_teacher", "moe"])
def test_staff_browse_the_framework_in_both_languages(world: World, user: str) -> None:
    client = world.client(user)
    body = client.get(reverse("framework:browse")).content.decode()
    assert "S1.M1" in body and "落實數位與AI平權" in body
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("framework:browse") + "?level=school&q=BYOD").content.decode()
    assert "S1.M2" in body and "L1.D1" not in body and "BYOD" in body


def test_framework_page_needs_login(db: Any) -> None:
    from django.test import Client

    assert Client().get(reverse("framework:browse")).status_code == 302


def test_county_admin_adds_a_local_strategy_from_the_page(world: World) -> None:
    url = reverse("framework:local_strategy_add")
    data = {"item": "S1", "stage": "A", "text_zh": "縣本：載具維修志工培訓"}
    for user in ("a_staff", "elem_admin", "elem_teacher"):
        assert world.client(user).post(url, data).status_code == 403
    assert world.client("a_admin").post(url, data).status_code == 302
    local = Strategy.objects.get(code="S1.AL1")
    assert local.county == world.counties["A"]
    assert "S1.AL1" in world.client("a_staff").get(reverse("framework:browse")).content.decode()
    assert "S1.AL1" not in world.client("b_admin").get(reverse("framework:browse")).content.decode()
    # Bad input changes nothing.
    world.client("a_admin").post(url, {"item": "S1", "stage": "A", "text_zh": " "})
    world.client("a_admin").post(url, {"item": "Z9", "stage": "A", "text_zh": "x"})
    assert Strategy.objects.filter(county__isnull=False).count() == 1
