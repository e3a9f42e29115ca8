"""`dtss manage devices import FILE --source … --county … [--school …]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from dtss.devices.models import Device, DeviceImport
from dtss.devices.tests.factories import make_device
from dtss.devices.tests.imports_helpers import DATA


def test_command_imports_and_is_idempotent(world: Any, capsys: Any) -> None:
    make_device(world, serial="DMPXK1AAAA01")
    args = ["import", str(DATA / "jamf.csv"), "--source", "jamf", "--county", "10008"]
    call_command("devices", *args, "--school", "083601")
    out = capsys.readouterr().out
    assert "2 created, 1 updated, 0 unchanged" in out
    assert Device.objects.count() == 3
    call_command("devices", *args, "--school", "083601")
    assert "0 created, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert DeviceImport.objects.filter(created_by=None).count() == 2


def test_command_update_only_lists_unknown(world: Any, capsys: Any) -> None:
    call_command(
        "devices",
        "import",
        str(DATA / "intune.csv"),
        "--source",
        "intune",
        "--county",
        "10008",
        "--update-only",
    )
    out = capsys.readouterr().out
    assert "2 not in the register" in out and "PF3ABC02" in out
    assert Device.objects.count() == 0


def test_command_reports_problems_and_changes_nothing(world: Any, capsys: Any) -> None:
    with pytest.raises(CommandError) as exc, translation.override("en"):
        call_command(
            "devices",
            "import",
            str(DATA / "google_chromebooks.csv"),
            "--source",
            "intune",
            "--county",
            "10008",
            "--school",
            "083601",
        )
    assert exc.value.returncode == 1
    assert "looks like a Google Admin export" in capsys.readouterr().err
    assert Device.objects.count() == 0


def test_command_bad_arguments(world: Any, tmp_path: Path) -> None:
    base = ["devices", "import", str(DATA / "jamf.csv"), "--source", "jamf"]
    with pytest.raises(CommandError, match="--county"):
        call_command(*base, "--county", "99999", "--school", "083601")
    with pytest.raises(CommandError, match="--school"):
        call_command(*base, "--county", "10008", "--school", "024601")  # county B's school
    with pytest.raises(CommandError, match="FILE"):
        call_command(
            "devices", "import", str(tmp_path / "x.csv"), "--source", "jamf", "--county", "10008"
        )
    with pytest.raises(CommandError, match="school"):
        call_command(*base, "--county", "10008")  # new devices need a school
