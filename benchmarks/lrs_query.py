"""Benchmark of the LRS read path: GET /xapi/statements with filters, over loopback.

    python benchmarks/lrs_ingest.py --keep [--total 1000000]     # first: fill dtss_bench
    python benchmarks/lrs_query.py [--requests 50] [--workers 3] [--port 8775] [--no-explain]
    python benchmarks/lrs_query.py --load 100000                 # or: fill a fresh one itself

Runs `dtss serve` against the database kept by lrs_ingest.py (--database-url, default
postgresql://postgres@127.0.0.1:5432/dtss_bench), or, with --load N, against a fresh database
filled here with the first N statements of the same generator (dropped afterwards). A new
credential of county 10008 (the store lrs_ingest writes to) is created for the run.

The parameters are drawn (seeded) from the first 5,000 statements of the generator, so every
agent, verb, activity, registration and statement id exists in the store; `since` is the middle
of the store's `stored` range. Each query is sent --requests times, one at a time on a
keep-alive connection, after two warm-up requests; the median and the 95th percentile in ms are
printed with the mean number of statements returned. The target: agent + verb + since under
100 ms at 1,000,000 statements.

Then (unless --no-explain) the SQL of one agent + verb + since request is captured in-process
(Django's test client on the same database) and shown with EXPLAIN (ANALYZE, BUFFERS).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "src"))

from lrs_ingest import (  # noqa: E402
    DEFAULT_DB,
    basic,
    credential,
    dtss,
    dtss_env,
    dtss_server,
    load_batches,
    machine,
    pg_database,
    post_batches,
)
from lrs_statements import statements  # noqa: E402

HEADERS = {"X-Experience-API-Version": "1.0.3", "Connection": "keep-alive"}


def pick_statements(seed: int, rng: random.Random, n: int = 5000) -> list[dict[str, Any]]:
    """The first n statements of the generator (all stored), shuffled: the source of the
    agents, verbs, activities, parents, registrations and ids queried."""
    stream = statements(seed)
    pool = [next(stream) for _ in range(n)]
    rng.shuffle(pool)
    return pool


def timed_get(
    conn: http.client.HTTPConnection, auth: str, path: str, requests: int
) -> tuple[list[float], list[int], list[str]]:
    headers = {**HEADERS, "Authorization": auth}
    times: list[float] = []
    counts: list[int] = []
    errors: list[str] = []
    for _ in range(requests):
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        times.append(time.perf_counter() - start)
        if response.status != 200:
            errors.append(f"{path}: HTTP {response.status}: {body[:200]!r}")
            continue
        data = json.loads(body)
        counts.append(len(data["statements"]) if "statements" in data else 1)
    return times, counts, errors


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]


def store_facts(url: str) -> tuple[int, Any, Any]:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*), min(stored), max(stored) FROM lrs_statement"
        ).fetchone()
    return row[0], row[1], row[2]


def explain(env: dict[str, str], auth: str, path: str) -> None:
    """EXPLAIN ANALYZE of the statement queries one GET makes, captured in-process."""
    os.environ.update(env)
    os.environ["DTSS_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtss.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    captured: list[tuple[str, Any, float]] = []

    def wrap(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((sql, params, time.perf_counter() - start))

    client = Client(HTTP_AUTHORIZATION=auth, HTTP_X_EXPERIENCE_API_VERSION="1.0.3")
    client.get(path)
    with connection.execute_wrapper(wrap):
        response = client.get(path)
    print(
        f"\nEXPLAIN of GET {path} (in-process: HTTP {response.status_code}, "
        f"{len(captured)} queries)"
    )
    for sql, params, seconds in captured:
        print(f"\n-- {seconds * 1000:.1f} ms: {sql[:160]}{'...' if len(sql) > 160 else ''}")
        if "lrs_statement" not in sql or not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            for (line,) in cursor.fetchall():
                print("   ", line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--load", type=int, default=0, help="fill a fresh database with N")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4, help="clients of the --load")
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument(
        "--env", action="append", default=[], help="KEY=VALUE for dtss serve (experiments)"
    )
    args = parser.parse_args()

    print("LRS query benchmark: GET /xapi/statements over loopback")
    for line in machine(args.database_url, None):
        print(line)
    work = Path(tempfile.mkdtemp(prefix="bench_lrsq_", dir="/tmp"))
    data_dir = work / "dtss-data"
    data_dir.mkdir()
    print(f"logs      {work}")

    if args.load:
        parts = urlsplit(args.database_url)
        url = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_query"))
        context = pg_database(url, keep=False)
    else:
        url = args.database_url
        context = None

    def run(url: str) -> None:
        env = dtss_env(url, str(data_dir), args.env)
        if args.load:
            dtss(env, "migrate")
        key, secret = credential(env, "bench-query")
        auth = basic(key, secret)
        with dtss_server(env, args.port, args.workers, work):
            if args.load:
                print(f"loading {args.load:,} statements ...", flush=True)
                batches = load_batches(args.seed, args.load, 100)
                loaded = post_batches(
                    "load",
                    "127.0.0.1",
                    args.port,
                    "/xapi/statements",
                    auth,
                    batches,
                    args.clients,
                    progress=False,
                )
                failed = sorted({int(e.split(":")[0].split()[1]) for e in loaded.errors})
                if failed:  # e.g. a deadlock between two batches: send those again, alone
                    print(f"  {len(failed)} batches failed ({loaded.errors[0][:120]}); resending")
                    again = post_batches(
                        "load",
                        "127.0.0.1",
                        args.port,
                        "/xapi/statements",
                        auth,
                        [batches[i] for i in failed],
                        1,
                        progress=False,
                    )
                    if again.errors:
                        raise SystemExit(f"the load failed: {again.errors[:3]}")
            count, first, last = store_facts(url)
            if count == 0:
                raise SystemExit(f"{url} holds no statements; run lrs_ingest.py --keep first")
            since = first + (last - first) / 2
            print(f"store     {count:,} statements, stored {first} .. {last}; since = {since}")
            print(
                f"run       dtss serve --workers {args.workers}, {args.requests} requests per "
                "query, one at a time, keep-alive"
                + (f", env {' '.join(args.env)}" if args.env else "")
            )
            rng = random.Random(f"query-{args.seed}")
            pool = pick_statements(args.seed, rng, min(5000, count))
            since_text = since.isoformat()

            def agent(s: dict[str, Any]) -> str:
                return json.dumps(s["actor"], separators=(",", ":"), ensure_ascii=False)

            queries: list[tuple[str, Callable[[dict[str, Any]], dict[str, str]]]] = [
                (
                    "agent + verb + since",
                    lambda s: {"agent": agent(s), "verb": s["verb"]["id"], "since": since_text},
                ),
                ("agent", lambda s: {"agent": agent(s)}),
                ("verb + since (a page)", lambda s: {"verb": s["verb"]["id"], "since": since_text}),
                ("activity", lambda s: {"activity": s["object"]["id"]}),
                (
                    "activity (parent) + related_activities",
                    lambda s: {
                        "activity": s["context"]["contextActivities"]["parent"][0]["id"],
                        "related_activities": "true",
                    },
                ),
                ("registration", lambda s: {"registration": s["context"]["registration"]}),
                ("statementId", lambda s: {"statementId": s["id"]}),
                ("latest page (no filter)", lambda s: {}),
            ]
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
            print(f"\n{'query':<42} {'median ms':>10} {'p95 ms':>10} {'statements':>11}")
            all_errors: list[str] = []
            for label, make in queries:
                samples = [pool[(i * 7919 + len(label)) % len(pool)] for i in range(args.requests)]
                paths = ["/xapi/statements?" + urlencode(make(s)) for s in samples]
                timed_get(conn, auth, paths[0], 2)  # warm-up
                times: list[float] = []
                counts: list[int] = []
                for path in paths:
                    t, c, e = timed_get(conn, auth, path, 1)
                    times += t
                    counts += c
                    all_errors += e
                print(
                    f"{label:<42} {1000 * statistics.median(times):>10.1f} "
                    f"{1000 * percentile(times, 0.95):>10.1f} "
                    f"{statistics.mean(counts) if counts else 0:>11.1f}"
                )
            # `more`: the second page of the latest statements and of a verb's statements
            for label, params in (
                ("more (2nd page, no filter)", {}),
                ("more (2nd page, verb)", {"verb": pool[0]["verb"]["id"]}),
            ):
                headers = {**HEADERS, "Authorization": auth}
                conn.request("GET", "/xapi/statements?" + urlencode(params), headers=headers)
                first_page = json.loads(conn.getresponse().read())
                more = first_page.get("more") or ""
                if not more:
                    print(f"{label:<42} (no more link)")
                    continue
                times, counts, errors = timed_get(conn, auth, more, args.requests)
                all_errors += errors
                print(
                    f"{label:<42} {1000 * statistics.median(times):>10.1f} "
                    f"{1000 * percentile(times, 0.95):>10.1f} "
                    f"{statistics.mean(counts) if counts else 0:>11.1f}"
                )
            conn.close()
            print(f"\nerrors    {len(all_errors)}")
            for line in all_errors[:10]:
                print(f"  {line}")
            if not args.no_explain:
                s = pool[0]
                path = "/xapi/statements?" + urlencode(
                    {"agent": agent(s), "verb": s["verb"]["id"], "since": since_text}
                )
                explain(env, auth, path)

    try:
        if context is None:
            run(url)
        else:
            with context as fresh:
                run(fresh)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
