"""The `dtss` command: demo, serve, migrate, createadmin, check, worker, import, lrs, model,
manage."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtss.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def cmd_manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtss.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dtss manage", *argv])
    return 0


def cmd_lrs(argv: list[str]) -> int:
    """`dtss lrs …`: the `lrs` management command, with `dtss lrs` in its usage lines."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtss.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dtss", "lrs", *argv])
    return 0


def cmd_model(argv: list[str]) -> int:
    """`dtss model …`: the `model` management command (the learning risk model)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtss.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dtss", "model", *argv])
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    _setup()
    _manage("migrate", "--noinput")
    return 0


def cmd_check(_: argparse.Namespace) -> int:
    """Django's deployment checks; errors (e.g. no SMTP server for mail) exit non-zero."""
    _setup()
    from django.core.management.base import SystemCheckError

    try:
        _manage("check", "--deploy", "--fail-level", "ERROR")
    except SystemCheckError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    _setup()
    from dtss.accounts.models import User
    from dtss.accounts.services import user_create

    if User.objects.filter(username=args.username).exists():
        print(f"A user named {args.username!r} exists already.", file=sys.stderr)
        return 1
    password = args.password or os.environ.get("DTSS_ADMIN_PASSWORD")
    if not password:
        import getpass

        password = getpass.getpass("Password: ")
    user_create(
        username=args.username, password=password, email=args.email or "", is_superuser=True
    )
    print(f"Created superuser {args.username!r}.")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings

    if settings.TASKS_MODE == "redis":
        _manage("rqworker", "default")
    elif settings.TASKS_MODE == "database":
        extra = ["--batch"] if args.once else []
        _manage("db_worker", *extra)
    else:
        print("DTSS_TASKS=immediate runs tasks in the web process; no worker is needed.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    _manage("migrate", "--noinput")
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "dtss.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    return subprocess.call(gunicorn)


def cmd_demo(args: argparse.Namespace) -> int:
    data_dir = Path(os.environ.get("DTSS_DATA_DIR", "./dtss-data")).resolve()
    if args.reset and data_dir.exists():
        for name in ("dtss.sqlite3", "dtss.sqlite3-wal", "dtss.sqlite3-shm", "demo-pending.json"):
            (data_dir / name).unlink(missing_ok=True)
    os.environ["DTSS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DTSS_DEBUG", "false")
    _setup()
    _manage("migrate", "--noinput", "-v", "0")
    from dtss.demo.county import DEMO_PASSWORD, demo_accounts, demo_load, demo_pending

    created = demo_load(seed=args.seed, progress=lambda msg: print(msg, flush=True), defer=True)
    print("Demo county ready." if created else "Reusing the demo data already in", data_dir)
    url = f"http://127.0.0.1:{args.port}/"
    print(f"\nDTSS demo: {url}   (password for every demo account: {DEMO_PASSWORD})")
    for role, username in demo_accounts():
        print(f"  {username:<14} {role}")
    finishing = None
    if demo_pending():
        print(
            "\nThe learning records (two terms from three platforms) and the risk model are "
            "being generated in the background for a few minutes; the learning pages fill in "
            "as they arrive. Stopping the demo is safe: the next start carries on.",
            flush=True,
        )
        finishing = subprocess.Popen([sys.executable, "-m", "dtss.cli", "demo-finish"])
    print("\nStop with Ctrl-C.", flush=True)
    # a SIGTERM stops the demo like Ctrl-C: the server, the worker and the background work
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    worker = subprocess.Popen([sys.executable, "-m", "dtss.cli", "worker"])
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "dtss.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "2",
            "--access-logfile",
            "-",
        ]
    )
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        # gunicorn stops its own workers on SIGTERM (a SIGKILL would leave them behind)
        children = [p for p in (server, worker, finishing) if p is not None]
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()


def cmd_demo_finish(args: argparse.Namespace) -> int:
    """The demo's deferred work (`dtss demo` starts it in the background)."""
    _setup()
    from dtss.demo.county import demo_pending_run

    def progress(msg: str) -> None:
        print(f"[demo] {msg}", flush=True)

    if demo_pending_run(progress=progress):
        progress("the learning records and the risk model are ready.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    _setup()
    from dtss.imports.cli import run_import_cli

    return run_import_cli(
        kind=args.kind, path=args.file, county_code=args.county, school_code=args.school
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dtss", description="DTSS 數位教學支持系統")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="create a demo county and serve it on 127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--reset", action="store_true", help="start again from an empty database")
    p.add_argument("--seed", type=int, default=114)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("demo-finish", help=argparse.SUPPRESS)  # started by `dtss demo`
    p.set_defaults(func=cmd_demo_finish)

    p = sub.add_parser("serve", help="run the production web server (gunicorn)")
    p.add_argument("--bind", default="127.0.0.1:8000")
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("check", help="run Django's deployment checks")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("createadmin", help="create a superuser")
    p.add_argument("username")
    p.add_argument("--email")
    p.add_argument("--password", help="or set DTSS_ADMIN_PASSWORD; asked for when neither")
    p.set_defaults(func=cmd_createadmin)
    p = sub.add_parser("worker", help="run background tasks")
    p.add_argument("--once", action="store_true", help="run what is queued, then stop")
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("import", help="import schools, classes or people from CSV/XLSX")
    p.add_argument("kind", choices=["schools", "classes", "people"])
    p.add_argument("file")
    p.add_argument("--county", required=True, help="county code, e.g. 10008")
    p.add_argument("--school", help="MOE school code (classes and people)")
    p.set_defaults(func=cmd_import)
    sub.add_parser("framework", help="dtss framework export --format json|csv", add_help=False)
    sub.add_parser(
        "lrs",
        help="learning record store: dtss lrs credentials|stats|export|purge …",
        add_help=False,
    )
    sub.add_parser(
        "model",
        help="learning risk model: dtss model train|evaluate|score|enable|retire|list|patterns",
        add_help=False,
    )
    sub.add_parser("manage", help="any manage.py command, e.g. dtss manage shell", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    if argv and argv[0] == "framework":
        return cmd_manage(["framework", *argv[1:]])
    if argv and argv[0] == "lrs":
        return cmd_lrs(argv[1:])
    if argv and argv[0] == "model":
        return cmd_model(argv[1:])
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
