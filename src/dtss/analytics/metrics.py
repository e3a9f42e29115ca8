"""Figures derived from the rollup measures, shared by every view and export."""

from __future__ import annotations

from typing import Any


def minutes(seconds: float | None) -> float:
    return round((seconds or 0) / 60, 1)


def rate(part: float | None, whole: float | None) -> float | None:
    """part / whole in percent, one decimal; None when there is no whole."""
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 1)


def mean_score(score_sum: float | None, score_n: int | None) -> float | None:
    """The mean scaled score in percent (None without scores)."""
    if not score_n:
        return None
    return round(100.0 * (score_sum or 0) / score_n, 1)


def figures(row: dict[str, Any]) -> dict[str, Any]:
    """The usual derived figures of a row of summed measures."""
    return {
        "minutes": minutes(row.get("seconds")),
        "events": row.get("events") or 0,
        "completions": row.get("completions") or 0,
        "attempts": row.get("attempts") or 0,
        "answered": row.get("answered") or 0,
        "correct_rate": rate(row.get("correct"), row.get("answered")),
        "mean_score": mean_score(row.get("score_sum"), row.get("score_n")),
    }
