"""`dtss model …`: the learning risk model from the command line.

    dtss model train --county CODE [--stage S] [--metric M] [--threshold T] [--horizon W]
                     [--min-answers N] [--subject CODE] [--platform ID] [--today YYYY-MM-DD]
    dtss model evaluate VERSION [--json]       print the version's evaluation (model card)
    dtss model score --county CODE [--stage S] [--as-of YYYY-MM-DD] [--enqueue]
    dtss model score --enqueue                 queue scoring of every county × stage (cron)
    dtss model enable VERSION / dtss model retire VERSION
    dtss model list [--county CODE] [--json]
    dtss model patterns --county CODE [--stage S] [--weeks 8] [--last-week YYYY-MM-DD]

VERSION is a version's public id or COUNTY:stage:number (e.g. 10008:elementary:2). Without
--stage, train/score/patterns cover the three stage groups. A bad argument is an error on
stderr with exit status 2 and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dtss.orgs.models import County
from dtss.predict.models import ModelVersion, StageGroup

USAGE_ERROR = 2


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def _county(code: str | None, required: bool = True) -> County | None:
    if not code:
        if required:
            raise _fail("--county: a county code is required (e.g. 10008 for 南投縣)")
        return None
    county = County.objects.filter(code=code).first()
    if county is None:
        raise _fail(f"--county: no county with the code {code!r} (e.g. 10008 for 南投縣)")
    return county


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


def _stages(value: str | None) -> list[str]:
    if not value:
        return list(StageGroup.values)
    if value not in StageGroup.values:
        raise _fail(f"--stage: must be one of {', '.join(StageGroup.values)}, not {value!r}")
    return [value]


def _version(ref: str) -> ModelVersion:
    from dtss.predict.model_selectors import version_find

    version = version_find(ref)
    if version is None:
        raise _fail(
            f"VERSION: no model version {ref!r} (a public id or COUNTY:stage:number, "
            "e.g. 10008:elementary:1; see `dtss model list`)"
        )
    return version


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def _label(v: ModelVersion) -> str:
    return f"{v.county.code}:{v.stage}:{v.number}"


class Command(BaseCommand):
    help = "Learning risk model: train, evaluate, score, enable, retire, list; patterns."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train and evaluate a new version")
        train.add_argument("--county", required=True, help="county code")
        train.add_argument("--stage", help="elementary, junior or senior (default: each)")
        train.add_argument("--metric", help="correct_rate (default), mean_score or completions")
        train.add_argument("--threshold", type=float, help="below it = at risk (default 0.6)")
        train.add_argument("--horizon", type=int, help="weeks predicted (default 4)")
        train.add_argument("--min-answers", type=int, help="answers a label needs (default 5)")
        train.add_argument("--subject", help="a subject code: the target reads that subject")
        train.add_argument("--platform", type=int, help="a platform id: the target reads it")
        train.add_argument("--today", help="train as if today were YYYY-MM-DD")
        evaluate = sub.add_parser("evaluate", help="print a version's evaluation (model card)")
        evaluate.add_argument("version")
        evaluate.add_argument("--json", action="store_true")
        score = sub.add_parser("score", help="score the students with the enabled versions")
        score.add_argument("--county", help="county code (required unless --enqueue)")
        score.add_argument("--stage")
        score.add_argument("--as-of", help="the Monday to score at (default: this week's)")
        score.add_argument("--enqueue", action="store_true", help="queue it for the worker")
        for name in ("enable", "retire"):
            p = sub.add_parser(name, help=f"{name} a version")
            p.add_argument("version")
        listing = sub.add_parser("list", help="the versions")
        listing.add_argument("--county")
        listing.add_argument("--json", action="store_true")
        patterns = sub.add_parser("patterns", help="cluster weekly activity into patterns")
        patterns.add_argument("--county", required=True)
        patterns.add_argument("--stage")
        patterns.add_argument("--weeks", type=int, default=8)
        patterns.add_argument("--last-week", help="the last Monday (default: last week's)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "do_" + options["action"])(options)

    def do_train(self, options: dict[str, Any]) -> None:
        from dtss.predict.model_services import version_train

        county = _county(options["county"])
        stages = _stages(options.get("stage"))
        target = {
            "metric": options.get("metric"),
            "threshold": options.get("threshold"),
            "horizon_weeks": options.get("horizon"),
            "min_answers": options.get("min_answers"),
            "subject": options.get("subject"),
            "platform_id": options.get("platform"),
        }
        target = {k: v for k, v in target.items() if v is not None}
        today = _date(options.get("today"), "--today")
        from dtss.predict.features import target_clean

        try:
            target_clean(target)
        except ValueError as exc:
            field, _sep, message = str(exc).partition(": ")
            flags = {
                "horizon_weeks": "horizon",
                "min_answers": "min-answers",
                "platform_id": "platform",
            }
            raise _fail(f"--{flags.get(field, field)}: {message}") from None
        failures = 0
        for stage in stages:
            try:
                v = version_train(county=county, stage=stage, target=target, today=today)
            except ValidationError as exc:
                if len(stages) == 1:
                    raise _fail(_messages(exc)) from None
                self.stderr.write(f"{stage}: not trained: {_messages(exc)}")
                failures += 1
                continue
            card = v.card
            self.stdout.write(
                f"{_label(v)} trained: AUC {card['auc']} (baseline {card['baseline_auc']}), "
                f"{'passed' if v.passed else 'did not pass'} the evaluation."
            )
        if failures == len(stages):
            raise CommandError("no version was trained")

    def do_evaluate(self, options: dict[str, Any]) -> None:
        v = _version(options["version"])
        if options.get("json"):
            self.stdout.write(
                json.dumps(
                    {"version": _label(v), "status": v.status, "passed": v.passed, "card": v.card},
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        c = v.card
        out = [
            f"Version {_label(v)} ({v.public_id}), {v.status}, "
            f"{'passed' if v.passed else 'did not pass'} its evaluation",
            f"Target: {c['target']}",
            f"Cut-offs: fit {c['cutoffs']['fit']}, calibrate {c['cutoffs']['calibrate']}, "
            f"test {c['cutoffs']['test']}",
            f"Examples: {c['n']}; positives rate {c['positives_rate']}",
            f"AUC {c['auc']} vs baseline {c['baseline_auc']}; Brier {c['brier']}",
            f"At the flagged share {c['flagged_share']}: precision {c['precision']}, "
            f"recall {c['recall']} (high from {c['high_threshold']}, "
            f"medium from {c['medium_threshold']})",
            f"Calibration ({c['calibration_method']}): "
            + ", ".join(
                f"{b['low']:.1f}-{b['high']:.1f}: {b['mean_predicted']}/{b['observed']} n={b['n']}"
                for b in c["calibration"]
                if b["n"]
            ),
        ]
        for dim, rows in c["breakdown"].items():
            for r in rows:
                out.append(
                    f"  {dim}={r['group']}: n={r['n']} positives={r.get('positives', '-')} "
                    f"AUC={r.get('auc', '-')} precision={r.get('precision', '-')} "
                    f"recall={r.get('recall', '-')} flagged={r.get('flagged_share', '-')} "
                    f"predicted={r.get('mean_predicted', '-')} "
                    f"observed={r.get('observed_rate', '-')}"
                )
        out.append(
            "Gate: "
            + ", ".join(
                f"{ch['code']} {ch['value']} ≥ {ch['required']} {'ok' if ch['ok'] else 'FAILED'}"
                for ch in c["gate"]["checks"]
            )
        )
        out.append(f"Features: {', '.join(c['features'])}")
        out.append(f"scikit-learn {c['sklearn_version']}, {c['training_seconds']} s")
        self.stdout.write("\n".join(out))

    def do_score(self, options: dict[str, Any]) -> None:
        from dtss.predict.model_services import scores_compute
        from dtss.predict.tasks import scores_compute_task, scores_enqueue_all

        county = _county(options.get("county"), required=not options.get("enqueue"))
        as_of = _date(options.get("as_of"), "--as-of")
        if options.get("enqueue"):
            if county is not None and options.get("stage"):
                (stage,) = _stages(options["stage"])
                scores_compute_task.enqueue(county.pk, stage, str(as_of or ""))
                self.stdout.write(f"Queued scoring of {county.code} {stage}.")
                return
            n = scores_enqueue_all(county=county)
            self.stdout.write(f"Queued scoring of {n} county × stage group(s).")
            return
        for stage in _stages(options.get("stage")):
            n = scores_compute(county=county, stage=stage, as_of=as_of)
            self.stdout.write(f"{county.code} {stage}: {n} students scored.")

    def do_enable(self, options: dict[str, Any]) -> None:
        from dtss.predict.model_services import version_enable

        v = _version(options["version"])
        try:
            v = version_enable(version=v, actor=None)
        except ValidationError as exc:
            raise _fail(f"VERSION: {_messages(exc)}") from None
        self.stdout.write(f"{_label(v)} is in use.")

    def do_retire(self, options: dict[str, Any]) -> None:
        from dtss.predict.model_services import version_retire

        v = version_retire(version=_version(options["version"]), actor=None)
        self.stdout.write(f"{_label(v)} is retired.")

    def do_list(self, options: dict[str, Any]) -> None:
        from dtss.predict.model_selectors import version_list

        county = _county(options.get("county"), required=False)
        items = [
            {
                "version": _label(v),
                "id": str(v.public_id),
                "status": v.status,
                "passed": v.passed,
                "auc": v.card.get("auc"),
                "baseline_auc": v.card.get("baseline_auc"),
                "created": v.created_at.isoformat(),
            }
            for v in version_list(county)
        ]
        if options.get("json"):
            self.stdout.write(json.dumps(items, indent=2))
            return
        for i in items:
            self.stdout.write(
                f"{i['version']:<24} {i['status']:<8} {'passed' if i['passed'] else 'failed':<7}"
                f" AUC {i['auc']} (baseline {i['baseline_auc']})  {i['id']}"
            )
        if not items:
            self.stdout.write("No model versions.")

    def do_patterns(self, options: dict[str, Any]) -> None:
        try:
            from dtss.predict.patterns import patterns_run
        except ImportError:
            raise CommandError("patterns: the patterns module is not installed") from None
        county = _county(options["county"])
        if not 2 <= options["weeks"] <= 52:
            raise _fail("--weeks: must be 2 to 52")
        last = _date(options.get("last_week"), "--last-week")
        if last is None:
            today = timezone.localdate()
            last = today - dt.timedelta(days=today.weekday() + 7)
        elif last.weekday() != 0:
            raise _fail("--last-week: must be a Monday")
        for stage in _stages(options.get("stage")):
            run = patterns_run(county=county, stage=stage, last_week=last, weeks=options["weeks"])
            n = run.students.count()
            self.stdout.write(f"{county.code} {stage}: {n} students in patterns.")
