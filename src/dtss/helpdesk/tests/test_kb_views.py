"""Knowledge-base pages: reading (signed in and public), school additions, editors'
permissions, read counting and helpful votes, media upload and serving, drafting from a
resolved request, and bad input changing nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dtss.helpdesk import kb_services as svc
from dtss.helpdesk import services
from dtss.helpdesk.models import Article, ArticleMedia, ArticleReadDay
from dtss.helpdesk.tests.factories import make_article, make_request

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"x" * 40


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def url(name: str, *args: Any) -> str:
    return reverse(f"helpdesk:{name}", args=args)


def add_media(world: Any, article: Article, name: str, data: bytes) -> ArticleMedia:
    editor = world.users["a_admin"]
    return svc.article_media_add(
        article=article, user=editor, files=[SimpleUploadedFile(name, data)]
    )[0]


# --------------------------------------------------------------------------- reading


def test_signed_in_readers_read_their_countys_articles_others_get_404(world: Any) -> None:
    article = make_article(world, body_zh="## 步驟\n\n1. 清除快取\n2. 重新登入")
    page = world.client("elem_parent").get(url("kb_article", article.public_id))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<h3>步驟</h3>" in body and "<ol>" in body
    assert 'id="kb-editor-bar"' not in body
    assert world.client("b_teacher").get(url("kb_article", article.public_id)).status_code == 404
    assert world.client("outsider").get(url("kb_article", article.public_id)).status_code == 404
    anonymous = Client().get(url("kb_article", article.public_id))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert Client().get(url("kb_list")).status_code == 302


def test_public_pages_show_only_published_public_articles_of_that_county(world: Any) -> None:
    public = make_article(world, title_zh="平板充電", visibility="public")
    school_public = make_article(
        world, title_zh="本校平板借用", visibility="public", school=world.schools["A-elem"]
    )
    signed_in = make_article(world, title_zh="平板內部設定", visibility="signed_in")
    draft = make_article(world, title_zh="平板草稿", visibility="public", status="draft")
    anonymous = Client()
    page = anonymous.get(url("kb_public", "10008")).content.decode()
    listed = set(re.findall(r'data-id="([0-9a-f-]{36})"', page))
    assert listed == {str(public.public_id), str(school_public.public_id)}
    page = anonymous.get(url("kb_public", "10008"), {"q": "平板充電"}).content.decode()
    assert re.findall(r'data-id="([0-9a-f-]{36})"', page)[0] == str(public.public_id)
    assert anonymous.get(url("kb_public_article", "10008", public.public_id)).status_code == 200
    for hidden in (signed_in, draft):
        assert anonymous.get(url("kb_public_article", "10008", hidden.public_id)).status_code == 404
    # under another county's code, county A's public article does not exist
    assert anonymous.get(url("kb_public_article", "10002", public.public_id)).status_code == 404
    assert "data-id=" not in anonymous.get(url("kb_public", "10002")).content.decode()
    assert anonymous.get(url("kb_public", "99999")).status_code == 404


def test_school_additions_are_for_that_schools_people(world: Any) -> None:
    addition = make_article(world, title_zh="南投國小的平板", school=world.schools["A-elem"])
    for name in ("elem_teacher", "elem_student", "elem_parent", "elem_admin", "a_staff"):
        assert world.client(name).get(url("kb_article", addition.public_id)).status_code == 200
    for name in ("junior_teacher", "junior_admin", "b_teacher", "b_admin"):
        assert world.client(name).get(url("kb_article", addition.public_id)).status_code == 404
    page = world.client("junior_teacher").get(url("kb_list")).content.decode()
    assert str(addition.public_id) not in page


def test_english_readers_fall_back_to_chinese_with_a_note(world: Any) -> None:
    zh_only = make_article(world, title_zh="因材網登入")
    both = make_article(
        world, title_zh="平板充電", title_en="Charging a tablet", body_en="Use another socket."
    )
    client = world.client("elem_teacher")
    client.cookies["dtss_language"] = "en"
    page = client.get(url("kb_article", zh_only.public_id)).content.decode()
    assert 'id="kb-fallback"' in page and "因材網登入" in page
    page = client.get(url("kb_article", both.public_id)).content.decode()
    assert 'id="kb-fallback"' not in page and "Charging a tablet" in page
    assert "Use another socket." in page
    listing = client.get(url("kb_list")).content.decode()
    assert "Charging a tablet" in listing
    client.cookies["dtss_language"] = "zh-hant"
    page = client.get(url("kb_article", both.public_id)).content.decode()
    assert "平板充電" in page and "Use another socket." not in page


# --------------------------------------------------------------------------- counting


def test_reads_are_counted_once_per_session_never_for_editors(world: Any) -> None:
    article = make_article(world)
    teacher = world.client("elem_teacher")
    teacher.get(url("kb_article", article.public_id))
    teacher.get(url("kb_article", article.public_id))
    article.refresh_from_db()
    assert article.view_count == 1
    today = timezone.localdate()
    assert ArticleReadDay.objects.get(article=article, day=today).reads == 1
    world.client("elem_student").get(url("kb_article", article.public_id))
    world.client("a_admin").get(url("kb_article", article.public_id))  # an editor: not counted
    Client().get(url("kb_public_article", "10008", article.public_id))  # 404: signed in only
    article.refresh_from_db()
    assert article.view_count == 2
    assert ArticleReadDay.objects.get(article=article, day=today).reads == 2
    public = make_article(world, visibility="public")
    anonymous = Client()
    anonymous.get(url("kb_public_article", "10008", public.public_id))
    anonymous.get(url("kb_public_article", "10008", public.public_id))
    public.refresh_from_db()
    assert public.view_count == 1


def test_helpful_is_answered_once_per_session(world: Any) -> None:
    article = make_article(world, visibility="public")
    teacher = world.client("elem_teacher")
    assert (
        teacher.post(url("article_helpful", article.public_id), {"helpful": "yes"}).status_code
        == 302
    )
    teacher.post(url("article_helpful", article.public_id), {"helpful": "no"})
    teacher.post(url("article_helpful", article.public_id), {"helpful": "maybe"})
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    page = teacher.get(url("kb_article", article.public_id)).content.decode()
    assert 'name="helpful"' not in page
    anonymous = Client()
    anonymous.post(url("kb_public_helpful", "10008", article.public_id), {"helpful": "no"})
    anonymous.post(url("kb_public_helpful", "10008", article.public_id), {"helpful": "no"})
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 1)
    # another county's reader: 404, nothing counted
    b = world.client("b_teacher").post(
        url("article_helpful", article.public_id), {"helpful": "yes"}
    )
    assert b.status_code == 404
    assert teacher.get(url("article_helpful", article.public_id)).status_code == 405
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 1)


# --------------------------------------------------------------------------- editors


def form_data(**values: Any) -> dict[str, Any]:
    data = {
        "where": "county:10008",
        "title_zh": "教育雲帳號忘記密碼",
        "body_zh": "請到教育雲網站按「忘記密碼」。",
        "title_en": "",
        "body_en": "",
        "category": "account",
        "platform": "educloud",
        "tags": "教育雲, 密碼",
        "visibility": "public",
        "save": "1",
    }
    data.update(values)
    return data


def test_county_office_writes_previews_and_publishes(world: Any) -> None:
    client = world.client("a_admin")
    preview = client.post(
        url("article_create"), form_data(body_zh="**粗**<script>x()</script>", preview="1")
    )
    assert preview.status_code == 200 and not Article.objects.exists()
    assert "<strong>粗</strong>" in preview.content.decode()
    assert "<script>x()" not in preview.content.decode()  # escaped in the text box only
    response = client.post(url("article_create"), form_data())
    article = Article.objects.get()
    assert response["Location"] == url("article_edit", article.public_id)
    assert (article.county, article.school, article.status) == (world.counties["A"], None, "draft")
    assert article.tags == "教育雲, 密碼" and article.grams.filter(gram="密碼").exists()
    assert article.author == world.people["a_admin"]
    # published, the teacher finds it
    client.post(url("article_status", article.public_id), {"status": "published"})
    article.refresh_from_db()
    assert article.status == "published" and article.published_at is not None
    page = world.client("elem_teacher").get(url("kb_list"), {"q": "忘記密碼"}).content.decode()
    assert str(article.public_id) in page
    # edited: the index follows the text
    response = client.post(
        url("article_edit", article.public_id), form_data(title_zh="教育雲帳號被鎖住")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title_zh == "教育雲帳號被鎖住" and article.grams.filter(gram="鎖住").exists()
    assert not article.grams.filter(gram="號忘").exists()  # only the old subject had it
    client.post(url("article_status", article.public_id), {"status": "archived"})
    article.refresh_from_db()
    assert article.status == "archived"
    page = world.client("elem_teacher").get(url("kb_article", article.public_id))
    assert page.status_code == 404


def test_a_school_administrator_writes_for_the_school_only(world: Any) -> None:
    client = world.client("elem_admin")
    page = client.get(url("article_create")).content.decode()
    assert f'value="school:{world.schools["A-elem"].public_id}"' in page
    assert 'value="county:10008"' not in page
    # choosing the county (not offered) changes nothing
    response = client.post(url("article_create"), form_data(where="county:10008"))
    assert response.status_code == 200 and not Article.objects.exists()
    response = client.post(
        url("article_create"), form_data(where=f"school:{world.schools['A-elem'].public_id}")
    )
    assert response.status_code == 302
    assert Article.objects.get().school == world.schools["A-elem"]


def test_editors_permissions(world: Any) -> None:
    county_article = make_article(world, status="draft")
    for name in ("elem_teacher", "elem_student", "elem_parent", "outsider"):
        client = world.client(name)
        assert client.get(url("article_create")).status_code == 403
        assert client.post(url("article_create"), form_data()).status_code == 403
    assert not Article.objects.exclude(pk=county_article.pk).exists()
    published = make_article(world, title_zh="已發布")
    elem_admin = world.client("elem_admin")
    # a school administrator reads the county's published article but may not edit it
    assert elem_admin.get(url("article_edit", published.public_id)).status_code == 403
    assert elem_admin.post(url("article_edit", published.public_id), form_data()).status_code == 403
    assert (
        elem_admin.post(
            url("article_status", published.public_id), {"status": "archived"}
        ).status_code
        == 403
    )
    # ... and does not see the county's draft at all
    assert elem_admin.get(url("article_edit", county_article.public_id)).status_code == 404
    # another county's office: 404
    b_admin = world.client("b_admin")
    for article in (published, county_article):
        assert b_admin.get(url("article_edit", article.public_id)).status_code == 404
        assert (
            b_admin.post(url("article_status", article.public_id), {"status": "published"})
        ).status_code == 404
    # county staff edit the county's articles
    assert world.client("a_staff").get(url("article_edit", published.public_id)).status_code == 200
    published.refresh_from_db()
    county_article.refresh_from_db()
    assert (published.title_zh, published.status) == ("已發布", "published")
    assert county_article.status == "draft"


def test_bad_input_names_the_field_and_changes_nothing(world: Any) -> None:
    article = make_article(world)
    client = world.client("a_admin")
    before = (article.title_zh, article.body_zh, article.tags)
    response = client.post(
        url("article_edit", article.public_id), form_data(title_zh="", body_zh="  ")
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="form-errors"' in body and "#id_title_zh" in body and "#id_body_zh" in body
    response = client.post(url("article_edit", article.public_id), form_data(tags="標籤," * 70))
    assert response.status_code == 422 and "#id_tags" in response.content.decode()
    response = client.post(url("article_edit", article.public_id), form_data(category="nope"))
    assert response.status_code == 422
    client.post(url("article_status", article.public_id), {"status": "deleted"})
    article.refresh_from_db()
    assert (article.title_zh, article.body_zh, article.tags) == before
    assert article.status == "published"
    response = client.post(url("article_create"), form_data(title_zh=""))
    assert response.status_code == 200 and Article.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        svc.article_create(
            user=world.users["elem_admin"],
            school=world.schools["A-junior"],
            title_zh="x",
            body_zh="y",
        )
    assert "school" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.article_update(
            article=article,
            user=world.users["a_admin"],
            tags=", ".join(f"標籤{i}" for i in range(60)),
            title_zh="新的",
        )
    assert set(exc.value.message_dict) == {"tags"}
    article.refresh_from_db()
    assert article.title_zh == before[0]


# --------------------------------------------------------------------------- media


def test_media_upload_validation_and_serving(world: Any) -> None:
    article = make_article(world, status="draft")
    client = world.client("a_admin")
    response = client.post(
        url("article_media_upload", article.public_id),
        {
            "files": [
                SimpleUploadedFile("step1.png", PNG, content_type="image/png"),
                SimpleUploadedFile("repair.mp4", MP4, content_type="video/mp4"),
                SimpleUploadedFile("guide.pdf", PDF, content_type="application/pdf"),
            ],
            "caption": "換電池",
        },
    )
    assert response.status_code == 302
    kinds = dict(ArticleMedia.objects.values_list("name", "kind"))
    assert kinds == {"step1.png": "image", "repair.mp4": "video", "guide.pdf": "file"}
    image = ArticleMedia.objects.get(name="step1.png")
    video = ArticleMedia.objects.get(name="repair.mp4")
    # a text file named .png, an executable and nothing at all: refused, nothing added
    for bad in (
        SimpleUploadedFile("fake.png", b"<html><script>x</script>", content_type="image/png"),
        SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
    ):
        response = client.post(url("article_media_upload", article.public_id), {"files": [bad]})
        assert response.status_code == 422
        assert 'id="form-errors"' in response.content.decode()
    assert ArticleMedia.objects.count() == 3
    # the editor's preview and the article show the picture and the video inline
    article.body_zh = f"![第一步](media:{image.public_id})\n\n![影片](media:{video.public_id})"
    article.save()
    page = client.get(url("kb_article", article.public_id)).content.decode()
    assert f'<img src="{url("kb_media", image.public_id)}"' in page
    assert f'preload="metadata" playsinline="" src="{url("kb_media", video.public_id)}"' in page
    assert "guide.pdf" in page  # files listed
    served = client.get(url("kb_media", image.public_id))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PNG
    assert "inline" in served["Content-Disposition"]
    # videos answer byte ranges (phones seek that way)
    part = client.get(url("kb_media", video.public_id), HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206 and part["Content-Type"] == "video/mp4"
    assert part["Content-Range"] == f"bytes 4-11/{len(MP4)}"
    assert b"".join(part.streaming_content) == b"ftypmp42"
    assert client.get(url("kb_media", video.public_id), HTTP_RANGE="bytes=9999-").status_code == 416


def test_media_sizes_are_limited_with_a_clear_error(world: Any) -> None:
    article = make_article(world)
    big = SimpleUploadedFile("big.png", PNG)
    big.size = 10 * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as exc:
        svc.article_media_add(article=article, user=world.users["a_admin"], files=[big])
    assert "10 MB" in " ".join(exc.value.message_dict["files"])
    video = SimpleUploadedFile("big.mp4", MP4)
    video.size = 200 * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as exc:
        svc.article_media_add(article=article, user=world.users["a_admin"], files=[video])
    assert "200 MB" in " ".join(exc.value.message_dict["files"])
    doc = SimpleUploadedFile("big.pdf", PDF)
    doc.size = 20 * 1024 * 1024 + 1
    with pytest.raises(ValidationError, match="20 MB"):
        svc.article_media_add(article=article, user=world.users["a_admin"], files=[doc])
    assert not ArticleMedia.objects.exists()


def test_who_may_fetch_media(world: Any) -> None:
    signed_in = make_article(world)
    public = make_article(world, visibility="public")
    draft_public = make_article(world, visibility="public", status="draft")
    m_signed = add_media(world, signed_in, "a.png", PNG)
    m_public = add_media(world, public, "b.png", PNG)
    m_draft = add_media(world, draft_public, "c.png", PNG)
    anonymous = Client()
    assert anonymous.get(url("kb_media", m_public.public_id)).status_code == 200
    assert anonymous.get(url("kb_media", m_signed.public_id)).status_code == 404
    assert anonymous.get(url("kb_media", m_draft.public_id)).status_code == 404
    teacher = world.client("elem_teacher")
    assert teacher.get(url("kb_media", m_signed.public_id)).status_code == 200
    assert teacher.get(url("kb_media", m_draft.public_id)).status_code == 404
    assert world.client("a_admin").get(url("kb_media", m_draft.public_id)).status_code == 200
    assert world.client("b_teacher").get(url("kb_media", m_signed.public_id)).status_code == 404
    # an article cannot show another article's media by referring to it
    signed_in.body_zh = f"![借來的](media:{m_public.public_id})"
    signed_in.save()
    page = teacher.get(url("kb_article", signed_in.public_id)).content.decode()
    assert url("kb_media", m_public.public_id) not in page and "借來的" in page
    # a public article's page on the public site shows its media
    page = anonymous.get(url("kb_public_article", "10008", public.public_id)).content.decode()
    assert url("kb_media", m_public.public_id) in page


def test_media_upload_and_delete_permissions(world: Any) -> None:
    article = make_article(world)
    media = add_media(world, article, "a.png", PNG)
    upload = {"files": [SimpleUploadedFile("b.png", PNG)]}
    assert (
        world.client("elem_teacher")
        .post(url("article_media_upload", article.public_id), upload)
        .status_code
        == 403
    )
    upload = {"files": [SimpleUploadedFile("b.png", PNG)]}
    assert (
        world.client("b_admin").post(url("article_media_upload", article.public_id), upload)
    ).status_code == 404
    elem_admin = world.client("elem_admin")
    assert elem_admin.post(url("article_media_delete", media.public_id)).status_code == 403
    assert (
        world.client("b_admin").post(url("article_media_delete", media.public_id)).status_code
        == 404
    )
    assert ArticleMedia.objects.count() == 1
    response = world.client("a_admin").post(url("article_media_delete", media.public_id))
    assert response.status_code == 302 and not ArticleMedia.objects.exists()


# --------------------------------------------------------------------------- from a request


def resolved_request(world: Any) -> Any:
    req = make_request(
        world,
        "elem_teacher",
        subject="因材網登不進去",
        description=(
            "我是 elem_teacher，電話 0912-345-678，信箱 teacher@example.org，登入一直轉圈圈。"
        ),
    )
    admin = world.users["elem_admin"]
    services.request_reply(
        request_obj=req, user=admin, body="elem_teacher 老師您好，請先清除瀏覽器快取再登入。"
    )
    services.request_reply(
        request_obj=req, user=world.users["elem_teacher"], body="我的學生 elem_student 也不行"
    )
    services.request_reply(request_obj=req, user=admin, body="內部：帳號被鎖", internal=True)
    services.request_status_set(request_obj=req, user=admin, status="resolved")
    return req


def test_a_resolved_request_becomes_a_draft_without_personal_data(world: Any) -> None:
    req = resolved_request(world)
    response = world.client("elem_admin").post(url("article_from_request", req.public_id))
    article = Article.objects.get()
    assert response["Location"] == url("article_edit", article.public_id)
    assert article.status == "draft" and article.source_request == req
    assert article.school == world.schools["A-elem"] and article.county == world.counties["A"]
    assert (article.category, article.platform) == ("platform", "adl")
    assert article.title_zh == "因材網登不進去"
    text = article.title_zh + article.body_zh
    assert "請先清除瀏覽器快取再登入" in text and "轉圈圈" in text
    for private in ("elem_teacher", "0912", "teacher@example.org", "elem_student", "帳號被鎖"):
        assert private not in text
    # the readers do not see it: it is a draft
    assert world.client("elem_teacher").get(url("kb_article", article.public_id)).status_code == 404
    # the county's office drafts a county article
    world.client("a_staff").post(url("article_from_request", req.public_id))
    assert Article.objects.filter(school__isnull=True, source_request=req).count() == 1


def test_drafting_from_a_request_who_and_when(world: Any) -> None:
    req = resolved_request(world)
    assert (
        world.client("elem_teacher").post(url("article_from_request", req.public_id)).status_code
        == 403
    )
    assert (
        world.client("elem_student").post(url("article_from_request", req.public_id)).status_code
        == 404
    )
    assert (
        world.client("junior_admin").post(url("article_from_request", req.public_id)).status_code
        == 404
    )
    assert (
        world.client("b_admin").post(url("article_from_request", req.public_id)).status_code == 404
    )
    open_req = make_request(world, "elem_teacher", subject="還沒解決")
    response = world.client("elem_admin").post(url("article_from_request", open_req.public_id))
    assert response.status_code == 422 and 'id="from-request-error"' in response.content.decode()
    assert (
        world.client("elem_admin").get(url("article_from_request", req.public_id)).status_code
        == 405
    )
    assert not Article.objects.exists()
