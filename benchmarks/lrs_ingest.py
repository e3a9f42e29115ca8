"""Benchmark of the LRS write path: POST /xapi/statements in batches over loopback to `dtss serve`.

    python benchmarks/lrs_ingest.py [--total 1000000] [--batch 100] [--workers 3] [--clients 4]
                                    [--keep] [--ralph [--ralph-total 20000]] [--port 8765]

Starts `dtss serve --bind 127.0.0.1:PORT --workers N` (gunicorn, the production server) against
a fresh PostgreSQL database (--database-url, default postgresql://postgres@127.0.0.1:5432/
dtss_bench: dropped if it exists, created, migrated; dropped afterwards unless --keep), with
DTSS_DATA_DIR a temporary directory and DTSS_DEBUG=false, creates a credential of county 10008
with every scope, then POSTs TOTAL realistic statements (benchmarks/lrs_statements.py, seeded:
every run sends the same statements) in batches of BATCH over C concurrent keep-alive
connections. Every answer is checked: anything but 200 with exactly the ids sent, in order, is
an error and is printed.

Printed: the machine and versions, total time, statements/s overall and per 10 % segment of the
batches, the mean latency of the first and the last 10 % of the batches and their ratio (the
targets: >= 5,000 statements/s, last/first <= 1.5 at 1,000,000 statements), and the errors.

--ralph also runs Ralph (openfun/ralph, PyPI ralph-malph, the Python LRS of Open edX) on the
first RALPH_TOTAL statements, the same batches and the same clients, before DTSS. Its LRS
backends are Elasticsearch, MongoDB and ClickHouse, none of which runs here, so it runs with its
development file store (`fs`: one JSON-lines file, every POST reads it to look for duplicate
ids) under uvicorn, from its own virtualenv (--ralph-venv, default /tmp/bench_ralph, made with
`python -m venv /tmp/bench_ralph && /tmp/bench_ralph/bin/pip install "ralph-malph[lrs,cli]"
requests`). DTSS's figures over its own first RALPH_TOTAL statements are printed next to
Ralph's, with the ratio, so the comparison is at the same store size. The batches are generated
once and cached in /tmp/bench_cache/ (1,000,000 statements take ~1.2 GB and ~1 minute).

The machine's cores are shared by the clients, gunicorn and PostgreSQL; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from lrs_statements import World, statement_batches  # noqa: E402

DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/dtss_bench"
CACHE_DIR = Path("/tmp/bench_cache")
COUNTY_CODE = "10008"
DTSS_BIN = Path(sys.executable).parent / "dtss"


# --- the statements -----------------------------------------------------------------------------


def load_batches(seed: int, total: int, batch: int) -> list[tuple[list[str], bytes]]:
    """The first `total` statements of the seed in batches, from the cache or generated."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    for path in sorted(CACHE_DIR.glob(f"stmts-{seed}-{batch}-*.txt")):
        if int(path.stem.rsplit("-", 1)[1]) >= total:
            batches: list[tuple[list[str], bytes]] = []
            with path.open("rb") as fh:
                sent = 0
                while sent < total:
                    ids = fh.readline().rstrip(b"\n").decode().split(",")
                    body = fh.readline().rstrip(b"\n")
                    batches.append((ids, body))
                    sent += len(ids)
            return batches
    print(f"generating {total:,} statements (cached in {CACHE_DIR}) ...", flush=True)
    batches = list(statement_batches(seed, total, batch, World(seed)))
    tmp = CACHE_DIR / f"stmts-{seed}-{batch}-{total}.tmp"
    with tmp.open("wb") as fh:
        for ids, body in batches:
            assert b"\n" not in body
            fh.write(",".join(ids).encode() + b"\n" + body + b"\n")
    tmp.rename(tmp.with_suffix(".txt"))
    return batches


# --- the load -------------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    started: float = 0.0
    finished: float = 0.0
    # per batch index: (start, end) of the request, perf_counter seconds
    times: list[tuple[float, float] | None] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def post_batches(
    name: str,
    host: str,
    port: int,
    path: str,
    auth: str,
    batches: list[tuple[list[str], bytes]],
    clients: int,
    progress: bool = True,
    every_tenth: Callable[[], None] | None = None,  # also after 5, 10, 20, 40 ... batches
) -> Run:
    """POST every batch once over `clients` keep-alive connections; time and check each one."""
    run = Run(name=name, times=[None] * len(batches), sizes=[len(ids) for ids, _b in batches])
    headers = {
        "Authorization": auth,
        "Content-Type": "application/json",
        "X-Experience-API-Version": "1.0.3",
        "Connection": "keep-alive",
    }
    lock = threading.Lock()
    next_index = iter(range(len(batches)))
    done = [0]
    tenth = max(1, len(batches) // 10)
    doubling = {5 * 2**k for k in range(20)}  # and after 5, 10, 20, 40 ... batches

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=300)
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                break
            ids, body = batches[index]
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                end = time.perf_counter()
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=300)
                with lock:
                    run.errors.append(f"batch {index}: {type(exc).__name__}: {exc}")
                    run.times[index] = (start, end)
                continue
            end = time.perf_counter()
            error = None
            if status != 200:
                error = f"batch {index}: HTTP {status}: {answer[:300]!r}"
            else:
                try:
                    returned = json.loads(answer)
                except ValueError:
                    returned = None
                if returned != ids:
                    error = f"batch {index}: ids returned differ from ids sent: {answer[:200]!r}"
            with lock:
                run.times[index] = (start, end)
                if error:
                    run.errors.append(error)
                done[0] += 1
                if every_tenth is not None and (done[0] % tenth == 0 or done[0] in doubling):
                    threading.Thread(target=every_tenth, daemon=True).start()
                if progress and done[0] % tenth == 0:
                    elapsed = end - run.started
                    sent = sum(run.sizes[: done[0]])
                    print(
                        f"  {name}: {done[0]:,}/{len(batches):,} batches, {elapsed:,.1f} s, "
                        f"{sent / elapsed:,.0f} statements/s, errors {len(run.errors)}",
                        flush=True,
                    )
        conn.close()

    # Warm up: every server process imports the statements resource before the clock starts
    # (a GET of one statement on 2 x clients connections at once), so the first batches are
    # not slowed by imports.
    def warm() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=300)
        conn.request("GET", path + "?limit=1", headers=headers)
        conn.getresponse().read()
        conn.close()

    warmers = [threading.Thread(target=warm, daemon=True) for _ in range(2 * clients)]
    for t in warmers:
        t.start()
    for t in warmers:
        t.join()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    run.started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.finished = time.perf_counter()
    return run


@dataclass
class Figures:
    statements: int
    seconds: float
    rate: float
    segments: list[float]
    first_ms: float
    last_ms: float
    errors: int

    @property
    def ratio(self) -> float:
        return self.last_ms / self.first_ms if self.first_ms else float("nan")


def figures(run: Run, upto: int | None = None) -> Figures:
    """The figures of the run's first `upto` batches (all by default)."""
    n = len(run.times) if upto is None else min(upto, len(run.times))
    times = [t for t in run.times[:n] if t is not None]
    sizes = run.sizes[:n]
    start = min(t[0] for t in times)
    end = max(t[1] for t in times)
    segments = []
    for k in range(10):
        lo, hi = k * n // 10, (k + 1) * n // 10
        seg = [t for t in run.times[lo:hi] if t is not None]
        if not seg:
            segments.append(float("nan"))
            continue
        span = max(t[1] for t in seg) - min(t[0] for t in seg)
        segments.append(sum(sizes[lo:hi]) / span if span > 0 else float("nan"))
    tenth = max(1, n // 10)
    first = [t[1] - t[0] for t in run.times[:tenth] if t is not None]
    last = [t[1] - t[0] for t in run.times[n - tenth : n] if t is not None]
    errors = sum(1 for e in run.errors if int(e.split(":")[0].split()[1]) < n)
    return Figures(
        statements=sum(sizes),
        seconds=end - start,
        rate=sum(sizes) / (end - start),
        segments=segments,
        first_ms=1000 * statistics.mean(first),
        last_ms=1000 * statistics.mean(last),
        errors=errors,
    )


def print_figures(label: str, f: Figures, errors: list[str] | None = None) -> None:
    print(f"\n{label}")
    print(f"  statements          {f.statements:,}")
    print(f"  total time          {f.seconds:,.1f} s")
    print(f"  statements/s        {f.rate:,.0f}")
    print("  per 10% segment     " + " ".join(f"{r:,.0f}" for r in f.segments))
    print(f"  batch latency first 10%  {f.first_ms:,.1f} ms (mean)")
    print(f"  batch latency last 10%   {f.last_ms:,.1f} ms (mean)")
    print(f"  last / first        {f.ratio:.2f}")
    print(f"  errors              {f.errors}")
    for line in (errors or [])[:20]:
        print(f"    {line}")
    if errors and len(errors) > 20:
        print(f"    ... and {len(errors) - 20} more")


def analyzer(url: str) -> Callable[[], None]:
    """ANALYZE the LRS tables (what autovacuum does when it is on; one at a time)."""
    lock = threading.Lock()

    def analyze() -> None:
        import psycopg

        if not lock.acquire(blocking=False):
            return
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                for table in (
                    "lrs_statement",
                    "lrs_statementagent",
                    "lrs_statementactivity",
                    "lrs_activity",
                ):
                    conn.execute(f"ANALYZE {table}")
        except psycopg.OperationalError:
            pass  # the run is over and its database is being dropped
        finally:
            lock.release()

    return analyze


def autovacuum_on(url: str) -> bool:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SHOW autovacuum").fetchone()[0] == "on"


# --- servers ------------------------------------------------------------------------------------


def wait_for(host: str, port: int, path: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}; see its log")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            conn.request("GET", path, headers={"X-Experience-API-Version": "1.0.3"})
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer on {host}:{port} within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def free_port(port: int) -> None:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is in use; choose another with --port")


def dtss_env(database_url: str, data_dir: str, extra: list[str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DTSS_DATABASE_URL=database_url,
        DTSS_DATA_DIR=data_dir,
        DTSS_DEBUG="false",
        DTSS_ALLOWED_HOSTS="127.0.0.1,localhost",
        DTSS_LOG_LEVEL="WARNING",
    )
    for item in extra:
        key, _eq, value = item.partition("=")
        env[key] = value
    return env


def dtss(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(DTSS_BIN), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"dtss {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def credential(env: dict[str, str], name: str = "bench") -> tuple[str, str]:
    """(key, secret) of a new credential of county 10008 with every scope."""
    try:
        out = dtss(
            env,
            "lrs",
            "credentials",
            "create",
            "--name",
            name,
            "--county",
            COUNTY_CODE,
            "--scope",
            "all",
            "--json",
        )
        data = json.loads(out)
        return data["key"], data["secret"]
    except (RuntimeError, ValueError, KeyError):
        pass
    code = (
        "import json\n"
        "from dtss.orgs.models import County\n"
        "from dtss.lrs.credential_services import credential_create\n"
        f"issued = credential_create(name={name!r}, "
        f"county=County.objects.get(code={COUNTY_CODE!r}), scopes=['all'])\n"
        "print(json.dumps({'key': issued.credential.key, 'secret': issued.secret}))\n"
    )
    out = dtss(env, "manage", "shell", "-c", code)
    data = json.loads(out.strip().splitlines()[-1])
    return data["key"], data["secret"]


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


@contextmanager
def pg_database(url: str, keep: bool) -> Iterator[str]:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        if not keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def dtss_server(
    env: dict[str, str], port: int, workers: int, log_dir: Path
) -> Iterator[subprocess.Popen]:
    free_port(port)
    log = (log_dir / "dtss-serve.log").open("wb")
    proc = subprocess.Popen(
        [str(DTSS_BIN), "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for("127.0.0.1", port, "/xapi/about", proc, 300)
        yield proc
    finally:
        stop(proc)
        log.close()


@contextmanager
def ralph_server(venv: Path, port: int, workers: int, work: Path) -> Iterator[str]:
    """Ralph's LRS with its fs backend and an HTTP Basic user; yields the Authorization value."""
    free_port(port)
    data = work / "ralph-data"
    data.mkdir()
    env = dict(os.environ)
    env.update(
        RALPH_RUNSERVER_BACKEND="fs",
        RALPH_AUTH_FILE=str(work / "ralph-auth.json"),
        RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(data),
        RALPH_APP_DIR=str(work / "ralph-app"),
    )
    done = subprocess.run(
        [
            str(venv / "bin" / "ralph"),
            "auth",
            "-u",
            "bench",
            "-p",
            "benchsecret",
            "-s",
            "all",
            "-A",
            "bench",
            "https://adl.edu.tw",
            "-w",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"ralph auth failed:\n{done.stderr}")
    # Ralph 5.1.0's fs LRS backend writes with the data backend's default operation, CREATE,
    # which refuses an existing file: every POST after the first fails with 500 "Statements bulk
    # indexation failed". The app is loaded through this module, which makes it append instead
    # (Ralph's code is not changed; the module lives in the scratch directory).
    (work / "bench_ralph_app.py").write_text(
        "from ralph.backends.data.base import BaseOperationType\n"
        "from ralph.backends.lrs.fs import FSLRSBackend\n"
        "FSLRSBackend.default_operation_type = BaseOperationType.APPEND\n"
        "from ralph.api import app  # noqa: E402\n"
    )
    env["PYTHONPATH"] = str(work)
    log = (work / "ralph.log").open("wb")
    proc = subprocess.Popen(
        [
            str(venv / "bin" / "uvicorn"),
            "bench_ralph_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for("127.0.0.1", port, "/__heartbeat__", proc, 120)
        yield basic("bench", "benchsecret")
    finally:
        stop(proc)
        log.close()


# --- the machine ----------------------------------------------------------------------------------


def machine(database_url: str, ralph_venv: Path | None) -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    import django
    import psycopg

    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    parts = urlsplit(database_url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres"))) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]

    def v(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "?"

    lines = [
        f"machine   {os.cpu_count()} CPUs (nproc), {model}, {int(mem) // 1024:,} MB RAM, "
        f"{platform.system()} {platform.release()}",
        f"load      {Path('/proc/loadavg').read_text().split()[:3]} (1, 5, 15 min) at start",
        f"versions  Python {platform.python_version()}, DTSS {v('dtss')}, "
        f"Django {django.__version__}, gunicorn {v('gunicorn')}, psycopg {psycopg.__version__}, "
        f"PostgreSQL {pg}",
    ]
    if ralph_venv is not None:
        out = subprocess.run(
            [
                str(ralph_venv / "bin" / "python"),
                "-c",
                "from importlib.metadata import version as v; import platform; "
                "print(v('ralph-malph'), v('fastapi'), v('uvicorn'), v('pydantic'), "
                "platform.python_version())",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        lines.append(
            f"Ralph     ralph-malph {out[0]} (fastapi {out[1]}, uvicorn {out[2]}, pydantic "
            f"{out[3]}, Python {out[4]}), fs backend"
        )
    return lines


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers of dtss serve")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client connections")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--keep", action="store_true", help="keep the database (lrs_query.py)")
    parser.add_argument("--ralph", action="store_true", help="also run Ralph (fs backend)")
    parser.add_argument("--ralph-total", type=int, default=20_000)
    parser.add_argument("--ralph-workers", type=int, default=1, help="uvicorn workers of Ralph")
    parser.add_argument("--ralph-venv", type=Path, default=Path("/tmp/bench_ralph"))
    parser.add_argument("--ralph-only", action="store_true", help="skip DTSS (development)")
    parser.add_argument(
        "--env", action="append", default=[], help="KEY=VALUE for dtss serve (experiments)"
    )
    parser.add_argument(
        "--analyze",
        choices=("auto", "yes", "no"),
        default="auto",
        help="ANALYZE the LRS tables as the store grows (auto: when autovacuum is off)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--database-url must be a postgresql:// URL")

    print("LRS ingest benchmark: POST /xapi/statements, batches over loopback")
    for line in machine(args.database_url, args.ralph_venv if args.ralph else None):
        print(line)
    print(
        f"run       {args.total:,} statements, batches of {args.batch}, {args.clients} clients, "
        f"dtss serve --workers {args.workers}, seed {args.seed}"
        + (f", env {' '.join(args.env)}" if args.env else "")
    )
    batches = load_batches(
        args.seed, max(args.total, args.ralph_total if args.ralph else 0), args.batch
    )
    ralph_batches = -(-args.ralph_total // args.batch)

    # The scratch directory keeps the servers' logs (dtss-serve.log, ralph.log) after the run.
    work = Path(tempfile.mkdtemp(prefix="bench_lrs_", dir="/tmp"))
    print(f"logs      {work}")
    ralph_fig = None
    if args.ralph:
        print(
            f"\nRalph: uvicorn --workers {args.ralph_workers}, fs backend, "
            f"{args.ralph_total:,} statements ...",
            flush=True,
        )
        with ralph_server(args.ralph_venv, args.port + 1, args.ralph_workers, work) as auth:
            run = post_batches(
                "Ralph",
                "127.0.0.1",
                args.port + 1,
                "/xAPI/statements",
                auth,
                batches[:ralph_batches],
                args.clients,
            )
        ralph_fig = figures(run)
        print_figures(f"Ralph {args.ralph_total:,} statements (fs backend)", ralph_fig, run.errors)
        size = sum(p.stat().st_size for p in (work / "ralph-data").iterdir())
        print(f"  store size          {size / 1e6:,.1f} MB")
    if args.ralph_only:
        shutil.rmtree(work / "ralph-data", ignore_errors=True)
        return

    data_dir = work / "dtss-data"
    data_dir.mkdir()
    with pg_database(args.database_url, args.keep) as url:
        env = dtss_env(url, str(data_dir), args.env)
        print("\nDTSS: migrating a fresh database ...", flush=True)
        dtss(env, "migrate")
        key, secret = credential(env)
        analyze = args.analyze == "yes" or (args.analyze == "auto" and not autovacuum_on(url))
        if analyze:
            print(
                "DTSS: autovacuum is off on this server; the LRS tables are ANALYZEd after 5, "
                "10, 20, 40 ... batches and at each tenth, as autovacuum would (--analyze no)"
                if args.analyze == "auto"
                else "DTSS: the LRS tables are ANALYZEd at each tenth of the run",
                flush=True,
            )
        with dtss_server(env, args.port, args.workers, work):
            print(f"DTSS: dtss serve --workers {args.workers} is up; posting ...", flush=True)
            run = post_batches(
                "DTSS",
                "127.0.0.1",
                args.port,
                "/xapi/statements",
                basic(key, secret),
                batches[: -(-args.total // args.batch)],
                args.clients,
                every_tenth=analyzer(url) if analyze else None,
            )
        import psycopg

        with psycopg.connect(url) as conn:
            count = conn.execute("SELECT count(*) FROM lrs_statement").fetchone()[0]
            db_size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    dtss_fig = figures(run)
    print_figures(f"DTSS {dtss_fig.statements:,} statements", dtss_fig, run.errors)
    print(f"  rows in lrs_statement  {count:,}; database size {db_size / 1e6:,.0f} MB")
    if ralph_fig is not None:
        small = figures(run, ralph_batches)
        print_figures(f"DTSS, its first {small.statements:,} statements (same as Ralph's)", small)
        print(
            f"\nDTSS / Ralph at {small.statements:,} statements: "
            f"{small.rate / ralph_fig.rate:.1f}x the statements/s "
            f"({small.rate:,.0f} vs {ralph_fig.rate:,.0f}); "
            f"last-10% batch latency {small.last_ms:,.1f} vs {ralph_fig.last_ms:,.1f} ms"
        )
    print(
        f"\ntargets   >= 5,000 statements/s: {dtss_fig.rate:,.0f} "
        f"({'met' if dtss_fig.rate >= 5000 else 'NOT met'}); last/first <= 1.5: "
        f"{dtss_fig.ratio:.2f} ({'met' if dtss_fig.ratio <= 1.5 else 'NOT met'})"
    )
    print(f"load      {Path('/proc/loadavg').read_text().split()[:3]} at the end")
    if args.keep:
        print(f"kept      {args.database_url} for benchmarks/lrs_query.py")
    shutil.rmtree(work / "ralph-data", ignore_errors=True)
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
