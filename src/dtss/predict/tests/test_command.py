"""`dtss model …`: the subcommands and their errors."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dtss.predict.models import ModelVersion, RiskScore
from dtss.predict.tests.synthetic import synth_build


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("model", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_train_evaluate_enable_score_retire_list(world: Any) -> None:
    synth = synth_build(world, classes=6)
    out = run("train", "--county", "10008", "--stage", "elementary", "--today", str(synth.today))
    assert "10008:elementary:1 trained" in out and "passed" in out
    v = ModelVersion.objects.get()
    text = run("evaluate", "10008:elementary:1")
    assert "AUC" in text and "gender=F" in text and "disadvantaged=yes" in text
    data = json.loads(run("evaluate", str(v.public_id), "--json"))
    assert data["card"]["auc"] == v.card["auc"]
    assert "in use" in run("enable", "10008:elementary:1")
    out = run("score", "--county", "10008", "--stage", "elementary", "--as-of", str(synth.today))
    assert f"{len(synth.people) + 2} students scored" in out
    assert RiskScore.objects.count() == len(synth.people) + 2
    assert "Queued scoring of 1" in run("score", "--enqueue")  # immediate backend: runs it
    listing = json.loads(run("list", "--county", "10008", "--json"))
    assert [i["status"] for i in listing] == ["enabled"]
    assert "retired" in run("retire", "10008:elementary:1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--county", "99999"], "--county"),
        (["train", "--county", "10008", "--stage", "college"], "--stage"),
        (["train", "--county", "10008", "--stage", "junior", "--metric", "iq"], "--metric"),
        (["train", "--county", "10008", "--stage", "junior", "--horizon", "0"], "--horizon"),
        (["train", "--county", "10008", "--stage", "junior"], "stage"),  # no data
        (["evaluate", "nope"], "VERSION"),
        (["enable", "10008:elementary:7"], "VERSION"),
        (["score"], "--county"),
        (["score", "--county", "10008", "--as-of", "someday"], "--as-of"),
        (["patterns", "--county", "10008", "--weeks", "1"], "--weeks"),
    ],
)
def test_bad_arguments_are_errors_naming_them(world: Any, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not ModelVersion.objects.exists()
