"""Helpers for the helpdesk tests, on top of the shared `world` fixture (dtss/conftest.py).

In the world, A-junior's administrator `junior_admin` is its IT head; A-elem has only a
principal (`elem_admin`). County A's office gets two groups here: 資訊設備組 (equipment, with
`a_staff` as a member) and 教學輔導組 (teaching).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dtss.helpdesk import services
from dtss.helpdesk.models import Article, HelpRequest
from dtss.helpdesk.search import article_index
from dtss.orgs.models import OfficeGroup, PromotionOffice

TZ = timezone.get_default_timezone()


def at(*args: int) -> dt.datetime:
    """A moment in Asia/Taipei: at(2026, 12, 1, 9, 0)."""
    return dt.datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def office_groups(world: Any, county_key: str = "A") -> dict[str, OfficeGroup]:
    """The county's office with an equipment and a teaching group (made once per world)."""
    county = world.counties[county_key]
    office, _ = PromotionOffice.objects.get_or_create(
        county=county, defaults={"name": "數位學習推動辦公室"}
    )
    equipment, created = OfficeGroup.objects.get_or_create(
        county=county, office=office, kind="equipment", defaults={"name": "資訊設備組"}
    )
    teaching, _ = OfficeGroup.objects.get_or_create(
        county=county, office=office, kind="teaching", defaults={"name": "教學輔導組"}
    )
    staff_key = "a_staff" if county_key == "A" else "b_admin"
    if created:
        equipment.members.add(world.people[staff_key])
    return {"equipment": equipment, "teaching": teaching}


def make_request(
    world: Any, user_key: str = "elem_teacher", *, now: dt.datetime | None = None, **values: Any
) -> HelpRequest:
    values.setdefault("category", "platform")
    values.setdefault("platform", "adl")
    values.setdefault("subject", "因材網登入不了")
    values.setdefault("description", "輸入帳號密碼後一直轉圈圈。")
    return services.request_create(user=world.users[user_key], now=now, **values)


def make_article(world: Any, county_key: str = "A", **values: Any) -> Article:
    values.setdefault("title_zh", "因材網無法登入怎麼辦")
    values.setdefault("body_zh", "請先確認教育雲帳號，再清除瀏覽器快取後重新登入因材網。")
    values.setdefault("status", "published")
    values.setdefault("visibility", "signed_in")
    if values["status"] == "published":
        values.setdefault("published_at", timezone.now())
    article = Article.objects.create(county=world.counties[county_key], **values)
    article_index(article)
    return article
