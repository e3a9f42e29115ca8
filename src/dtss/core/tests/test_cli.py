from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dtss.accounts.models import User
from dtss.cli import build_parser, main


def test_createadmin_makes_a_superuser_once(db: Any, capsys: Any) -> None:
    assert main(["createadmin", "root", "--password", "a-long-admin-passphrase"]) == 0
    user = User.objects.get(username="root")
    assert user.is_superuser and user.check_password("a-long-admin-passphrase")
    assert main(["createadmin", "root", "--password", "x"]) == 1
    assert "exists already" in capsys.readouterr().err


def test_check_runs_the_deploy_checks(db: Any, settings: Any, capsys: Any) -> None:
    # Without an SMTP server mail only lands in files: not ready for production.
    assert main(["check"]) == 1
    assert "mail.E001" in capsys.readouterr().err
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "smtp.example.org"},
        }
    }
    assert main(["check"]) == 0


def test_manage_passes_through(db: Any, capsys: Any) -> None:
    assert main(["manage", "showmigrations", "orgs"]) == 0
    assert "0002_counties" in capsys.readouterr().out


def test_parser_knows_every_command() -> None:
    parser = build_parser()
    for argv in (
        ["demo", "--port", "8123", "--reset"],
        ["serve", "--bind", "0.0.0.0:80", "--workers", "4"],
        ["migrate"],
        ["worker", "--once"],
        ["import", "schools", "f.csv", "--county", "10008"],
    ):
        assert parser.parse_args(argv).func


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTSS_")}
    env["DTSS_DATA_DIR"] = str(tmp_path)
    code = "from django.conf import settings; import dtss.settings as s; print(s.SECRET_KEY)"
    first = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    second = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert first == second and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("name", "value"), [("DEBUG", "maybe"), ("PAGE_SIZE", "many"), ("TASKS", "celery")]
)
def test_bad_settings_name_the_variable(tmp_path: Path, name: str, value: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTSS_")}
    env.update({"DTSS_DATA_DIR": str(tmp_path), f"DTSS_{name}": value})
    result = subprocess.run(
        [sys.executable, "-c", "import dtss.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and f"DTSS_{name}" in result.stderr
