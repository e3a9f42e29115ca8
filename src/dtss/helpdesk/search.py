"""Knowledge-base search that works for Chinese: no whitespace tokenisation.

Text is normalised (NFKC, lower case); runs of CJK characters become overlapping character
bigrams (and, with a small weight, single characters, so that a one-character query still
finds something); runs of Latin letters and digits become words. An article's grams are kept in
`ArticleGram` with a weight per field (title ×3, tags ×2, text ×1), on both databases alike.
A query is cut the same way; an article scores the idf-weighted sum of the grams it shares with
the query, times the square of the share of the query's grams it contains, so an article that
matches all of "因材網登入" ranks above one that only says "網" many times.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum

TITLE_WEIGHT = 3.0
TAG_WEIGHT = 2.0
BODY_WEIGHT = 1.0
UNIGRAM_WEIGHT = 0.2
MAX_QUERY_GRAMS = 60
_GRAM_MAX = 32

_CJK = (
    r"\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff\U00020000-\U0002fa1f"
)
_TOKEN = re.compile(rf"([{_CJK}]+)|([0-9a-z]+(?:[.'][0-9a-z]+)*)")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def grams_of(text: str) -> Counter[str]:
    """The grams of a text with their weights (a bigram or word 1, a CJK character 0.2)."""
    out: Counter[str] = Counter()
    for cjk, word in _TOKEN.findall(normalise(text)):
        if cjk:
            for ch in cjk:
                out[ch] += UNIGRAM_WEIGHT  # type: ignore[assignment]
            for i in range(len(cjk) - 1):
                out[cjk[i : i + 2]] += 1
        elif len(word) >= 2 or word.isdigit():
            out[word[:_GRAM_MAX]] += 1
    return out


def query_grams(query: str) -> list[str]:
    """The grams a query is searched by: bigrams and words, or single characters when the
    query has no longer CJK run; the most frequent first, at most MAX_QUERY_GRAMS."""
    grams = grams_of(query)
    if not grams:
        return []
    longer = [g for g in grams if len(g) > 1 or not _is_cjk(g)]
    chosen = longer or list(grams)
    chosen.sort(key=lambda g: (-grams[g], g))
    return chosen[:MAX_QUERY_GRAMS]


def _is_cjk(gram: str) -> bool:
    return bool(re.fullmatch(rf"[{_CJK}]", gram))


def article_grams(*, titles: Iterable[str], tags: str, bodies: Iterable[str]) -> dict[str, float]:
    weights: Counter[str] = Counter()
    for title in titles:
        for g, w in grams_of(title).items():
            weights[g] += w * TITLE_WEIGHT  # type: ignore[assignment]
    for g, w in grams_of(tags.replace(",", " ")).items():
        weights[g] += w * TAG_WEIGHT  # type: ignore[assignment]
    for body in bodies:
        for g, w in grams_of(body).items():
            weights[g] += w * BODY_WEIGHT  # type: ignore[assignment]
    # Dampen long texts: a gram repeated twenty times is not twenty times as relevant.
    return {g: round(1 + math.log(w), 4) if w > 1 else round(w, 4) for g, w in weights.items()}


@transaction.atomic
def article_index(article: Any) -> int:
    """Rebuild one article's grams; returns how many were written."""
    from dtss.helpdesk.models import ArticleGram

    ArticleGram.objects.filter(article=article).delete()
    weights = article_grams(
        titles=[article.title_zh, article.title_en],
        tags=article.tags,
        bodies=[article.body_zh, article.body_en],
    )
    ArticleGram.objects.bulk_create(
        [ArticleGram(article=article, gram=g, weight=w) for g, w in weights.items()],
        batch_size=500,
    )
    return len(weights)


def article_search(
    articles: QuerySet[Any], query: str, *, limit: int = 20
) -> list[tuple[Any, float]]:
    """The articles of `articles` matching `query`, best first, with their scores."""
    from dtss.helpdesk.models import ArticleGram

    grams = query_grams(query)
    if not grams:
        return []
    ids = articles.values("pk")
    total = articles.count() or 1
    df = dict(
        ArticleGram.objects.filter(article__in=ids, gram__in=grams)
        .values_list("gram")
        .annotate(n=Count("article", distinct=True))
        .values_list("gram", "n")
    )
    idf = {g: math.log(1 + total / df[g]) for g in df}
    rows = (
        ArticleGram.objects.filter(article__in=ids, gram__in=list(df))
        .values_list("article_id", "gram")
        .annotate(w=Sum("weight"))
        .values_list("article_id", "gram", "w")
    )
    scores: dict[int, float] = {}
    matched: dict[int, float] = {}
    query_idf = sum(math.log(1 + total / df[g]) if g in df else math.log(1 + total) for g in grams)
    for article_id, gram, weight in rows:
        scores[article_id] = scores.get(article_id, 0.0) + weight * idf[gram]
        matched[article_id] = matched.get(article_id, 0.0) + idf[gram]
    ranked = []
    for article_id, score in scores.items():
        coverage = matched[article_id] / query_idf if query_idf else 0.0
        ranked.append((article_id, score * coverage * coverage))
    ranked.sort(key=lambda item: (-item[1], item[0]))
    ranked = ranked[:limit]
    by_id = articles.in_bulk([a for a, _ in ranked])
    return [(by_id[a], round(s, 4)) for a, s in ranked if a in by_id]
