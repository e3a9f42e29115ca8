"""Benchmark of the xAPI statement validator (`dtss.lrs.xapi.validate_statement`).

    python benchmarks/lrs_validate.py [--statements 100] [--rounds 200]

Builds `--statements` distinct realistic statements (actor with an account, verb with a display,
activity object with a definition, result with a score and duration, context with a
registration and contextActivities, timestamp with an offset), as a POST batch from a
learning platform would carry them, and validates the whole batch `--rounds` times for xAPI
1.0.3 and 2.0.0. Prints the median and best time per statement and per batch. The budget is
< 5 ms per batch of 100 (< 50 µs per statement) on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from dtss.lrs.xapi import validate_statement


def make_statement(i: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "name": f"Student {i}",
            "account": {"homePage": "https://dtss.example.edu.tw", "name": f"s{100000 + i}"},
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/answered",
            "display": {"en-US": "answered", "zh-TW": "回答"},
        },
        "object": {
            "objectType": "Activity",
            "id": f"https://dtss.example.edu.tw/xapi/activities/assessment/7/question/{i % 40}",
            "definition": {
                "name": {"en-US": f"Question {i % 40}", "zh-TW": f"第 {i % 40} 題"},
                "description": {"en-US": "Reading comprehension"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "choice",
                "correctResponsesPattern": ["b"],
                "choices": [
                    {"id": "a", "description": {"en-US": "Option A"}},
                    {"id": "b", "description": {"en-US": "Option B"}},
                    {"id": "c", "description": {"en-US": "Option C"}},
                ],
            },
        },
        "result": {
            "score": {"scaled": 0.75, "raw": 75, "min": 0, "max": 100},
            "success": True,
            "completion": True,
            "response": "b",
            "duration": "PT1M12.5S",
        },
        "context": {
            "registration": str(uuid.uuid4()),
            "platform": "DTSS",
            "language": "zh-TW",
            "contextActivities": {
                "parent": [{"id": "https://dtss.example.edu.tw/xapi/activities/assessment/7"}],
                "grouping": {"id": "https://dtss.example.edu.tw/xapi/activities/cycle/114-1"},
                "category": [{"id": "https://w3id.org/xapi/scorm"}],
            },
        },
        "timestamp": "2026-05-01T08:30:00.123+08:00",
    }


def run(statements: list[dict[str, Any]], version: str, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for statement in statements:
            validate_statement(statement, version=version)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    statements = [make_statement(i) for i in range(args.statements)]
    print(f"{args.statements} statements per batch, {args.rounds} rounds")
    for version in ("1.0.3", "2.0.0"):
        run(statements, version, 10)  # warm up
        times = run(statements, version, args.rounds)
        median, best = statistics.median(times), min(times)
        per = 1e6 / args.statements
        print(
            f"xAPI {version}: {median * per:6.1f} µs/statement median "
            f"({best * per:.1f} best), {median * 1e3:.2f} ms per batch "
            f"(budget 5 ms per 100)"
        )


if __name__ == "__main__":
    main()
