"""Benchmark of `dtss demo`'s first start and of the SQLite learning record store it fills.

    python benchmarks/demo_start.py serve [--port 8799]
    python benchmarks/demo_start.py store [--total 200000] [--src PATH]

serve   runs `dtss demo` in a new temporary data directory (a new SQLite database) and prints
        the seconds until the login page answers 200 (the county served), then until the
        background work (the learning records and the risk model) is done and its pending file
        gone; then stops the demo with SIGTERM and checks that its server, worker and
        background process have gone.
store   stores `--total` generated 因材網 statements (benchmarks/lrs_statements.py) through
        `statements_store` in batches of 500, as the demo's platforms send them, into a new
        SQLite database, and prints statements/s per tenth of the run: a store whose cost grows
        with its size shows as falling figures. `--src` runs another checkout's `src` (an
        earlier commit in a `git worktree`) to compare.

Both print the machine first (cores, CPU, load average).
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {cpu or platform.processor()}, load {load}"


def serve(port: int) -> int:
    with tempfile.TemporaryDirectory(prefix="dtss-demo-bench-") as data_dir:
        env = dict(os.environ, DTSS_DATA_DIR=data_dir, PYTHONPATH=str(ROOT / "src"))
        env.pop("DTSS_DATABASE_URL", None)
        log = Path(data_dir) / "demo.log"
        start = time.perf_counter()
        with log.open("w") as out:
            demo = subprocess.Popen(
                [sys.executable, "-m", "dtss.cli", "demo", "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}/accounts/login/"
        served = None
        while served is None and demo.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        served = time.perf_counter() - start
            except OSError:
                time.sleep(0.25)
        if served is None:
            print(log.read_text()[-3000:])
            raise SystemExit("the demo stopped before it served")
        print(f"county served (login page 200): {served:6.1f} s after `dtss demo`")
        pending = Path(data_dir) / "demo-pending.json"
        while pending.exists() and demo.poll() is None:
            time.sleep(1)
        done = time.perf_counter() - start
        print(f"background work done:           {done:6.1f} s after `dtss demo`")
        for line in log.read_text().splitlines():
            if line.startswith(("Demo county:", "[demo] Learning records:", "[demo]   ")):
                print("   ", line)
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
        left = subprocess.run(
            ["pgrep", "-f", data_dir], capture_output=True, text=True, check=False
        ).stdout.split()
        others = subprocess.run(
            ["pgrep", "-s", str(demo.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        print(f"after SIGTERM: processes left {len(set(left) | set(others))}")
    return 0


def store(total: int, src: str | None) -> int:
    if src:  # another checkout's code: run this same function with it first on the path
        env = dict(os.environ, DTSS_BENCH_SRC=str(Path(src).resolve()))
        return subprocess.call(
            [sys.executable, __file__, "store", "--total", str(total), "--in-process"], env=env
        )
    return store_here(total)


def store_here(total: int) -> int:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from import_people import database  # type: ignore[import-not-found]
    from lrs_statements import statements  # type: ignore[import-not-found]

    if os.environ.get("DTSS_BENCH_SRC"):
        sys.path.insert(0, os.environ["DTSS_BENCH_SRC"])
    with database(None) as where:
        import django

        django.setup()
        from django.core.management import call_command

        import dtss
        from dtss.lrs.statement_services import statements_store

        call_command("migrate", "--noinput", "-v", "0")
        print(f"code: {Path(dtss.__file__).parent}; database: {where}")
        stream = statements(114)
        authority = {"objectType": "Agent", "account": {"homePage": "https://dtss", "name": "b"}}
        tenth = total // 10
        done = 0
        begin = last = time.perf_counter()
        rates = []
        while done < total:
            batch = [next(stream) for _ in range(min(500, total - done))]
            statements_store(  # the national store (0): no county's rollups run after it
                store=0,
                credential_id=None,
                authority=authority,
                statements=batch,
                version="1.0.3",
            )
            done += len(batch)
            if done % tenth == 0 or done == total:
                now = time.perf_counter()
                rates.append(tenth / (now - last))
                print(f"  {done:>8} stored: {rates[-1]:7.0f} statements/s in this tenth")
                last = now
        elapsed = time.perf_counter() - begin
        print(
            f"total {total} in {elapsed:.1f} s: {total / elapsed:.0f} statements/s; "
            f"last tenth / first tenth = {rates[-1] / rates[0]:.2f}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("serve")
    p.add_argument("--port", type=int, default=8799)
    p = sub.add_parser("store")
    p.add_argument("--total", type=int, default=200_000)
    p.add_argument("--src", help="another checkout's src directory")
    p.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    print(machine())
    if args.what == "serve":
        return serve(args.port)
    if args.in_process:
        return store_here(args.total)
    return store(args.total, args.src)


if __name__ == "__main__":
    raise SystemExit(main())
