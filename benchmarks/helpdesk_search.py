"""Benchmark of the knowledge-base search: indexing and query latency, beside a naive search.

    python benchmarks/helpdesk_search.py [--articles 2000] [--queries 200] [--database-url URL]

Builds its own database and throws it away afterwards (see import_people.py). Generates N
articles of Chinese text from a vocabulary of help-desk phrases (each article is about one
platform and one problem, with English text on half of them), indexes them with
`search.article_index`, then runs Q questions of the kind people type into the request form
("因材網登不進去怎麼辦", "平板沒辦法充電") through `search.article_search` — what the suggestions
while typing do — and, for comparison, through the naive search a first version would write:
`icontains` of the whole question on title and text. For each it prints the mean and 95th
percentile latency, queries per search, and how often the article the question was made from is
the first result (the naive search mostly finds nothing: people do not type the article's words
in the article's order).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from import_people import database, measured  # noqa: E402

PLATFORMS = ["因材網", "酷英網", "均一教育平台", "Google Classroom", "酷課雲", "教育雲", "Teams"]
OBJECTS = ["平板", "筆電", "Chromebook", "投影機", "觸控大屏", "無線網路", "印表機", "耳機"]
PROBLEMS = [
    ("無法登入", "登不進去"),
    ("忘記密碼", "密碼忘了"),
    ("畫面當機", "一直當掉"),
    ("沒有聲音", "聽不到聲音"),
    ("無法充電", "沒辦法充電"),
    ("連不上網路", "網路連不上"),
    ("作業無法上傳", "作業傳不上去"),
    ("影片播放卡頓", "影片一直卡"),
]
FILLER = [
    "請先確認帳號是否正確，再重新整理頁面。",
    "若仍無法解決，請截圖後向資訊組長提出需求。",
    "建議使用最新版的瀏覽器，並清除快取與 Cookie。",
    "學校網路管理可能阻擋部分網站，請洽資訊組。",
    "平板請先長按電源鍵十秒重新開機。",
    "老師可在課堂前先測試設備，避免上課中斷。",
    "家長可協助孩子在家確認無線網路的密碼。",
    "更新作業系統後請重新開機再試一次。",
]


def make_articles(n: int, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        thing = rng.choice(PLATFORMS + OBJECTS)
        formal, spoken = rng.choice(PROBLEMS)
        body = (
            "".join(rng.sample(FILLER, 4)) + f"{thing}{formal}時，" + "".join(rng.sample(FILLER, 3))
        )
        out.append(
            {
                "title_zh": f"{thing}{formal}的處理方式（{i}）",
                "body_zh": body,
                "title_en": f"What to do when {thing} fails ({i})" if i % 2 else "",
                "body_en": "Check the account, restart the device, then ask the IT head."
                if i % 2
                else "",
                "tags": f"{thing},{formal}",
                "question": f"{thing}{spoken}怎麼辦",
            }
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", default="", help="postgresql://… (default: SQLite)")
    args = parser.parse_args()
    rng = random.Random(114)
    with database(args.database_url) as where:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.db.models import Q
        from django.utils import timezone

        from dtss.helpdesk.models import Article
        from dtss.helpdesk.search import article_index, article_search
        from dtss.orgs.models import County

        call_command("migrate", verbosity=0)
        county = County.objects.get(code="10008")
        specs = make_articles(args.articles, rng)
        print(
            f"DTSS knowledge-base search benchmark: {args.articles} articles on {where}, "
            f"{connection.vendor}"
        )
        now = timezone.now()
        articles: list[Any] = []
        with measured() as idx:
            for spec in specs:
                a = Article.objects.create(
                    county=county,
                    status="published",
                    published_at=now,
                    **{k: v for k, v in spec.items() if k != "question"},
                )
                article_index(a)
                articles.append(a)
        print(
            f"indexing: {args.articles / idx['seconds']:.0f} articles/s, "
            f"{idx['queries'] / args.articles:.1f} queries/article"
        )
        picks = [rng.randrange(len(articles)) for _ in range(args.queries)]
        visible = Article.objects.filter(county=county, status="published")

        def ngram(question: str) -> list[Any]:
            return [a for a, _ in article_search(visible, question, limit=5)]

        def naive(question: str) -> list[Any]:
            return list(
                visible.filter(Q(title_zh__icontains=question) | Q(body_zh__icontains=question))[:5]
            )

        print()
        print(f"{'search':<8}{'mean ms':>9}{'p95 ms':>9}{'queries':>9}{'found':>8}{'first':>8}")
        rows = {}
        for name, fn in (("n-gram", ngram), ("naive", naive)):
            times, queries, found, first = [], 0, 0, 0
            for i in picks:
                spec = specs[i]
                # a question about the same thing and problem: any article on it is a right answer
                with measured() as m:
                    result = fn(spec["question"])
                times.append(m["seconds"] * 1000)
                queries += m["queries"]
                right = {spec["tags"]}
                if result:
                    found += 1
                    if result[0].tags in right:
                        first += 1
            times.sort()
            rows[name] = statistics.mean(times)
            print(
                f"{name:<8}{statistics.mean(times):>9.1f}{times[int(len(times) * 0.95) - 1]:>9.1f}"
                f"{queries / len(picks):>9.1f}{found / len(picks):>8.0%}{first / len(picks):>8.0%}"
            )
        print(f"\nn-gram / naive mean latency: {rows['n-gram'] / rows['naive']:.1f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
