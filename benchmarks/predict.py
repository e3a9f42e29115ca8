"""Benchmark of the learning risk model: training time and scoring throughput at county scale.

    python benchmarks/predict.py [--students 100000] [--database-url URL] [--seed 114] [--keep]

Builds its own database and throws it away afterwards, as `analytics.py` does (SQLite by
default; --database-url postgresql://… for a fresh database on that server). The county is
analytics.py's: --students students in ~300 schools (60 % elementary, 25 % junior high, 15 %
senior high), classes of ~28, one enrolment each, ~10 % in a learner group. Instead of
learning records it writes the rollups the model reads — one StudentWeek row per student and
active week over the 17 weeks that end yesterday — generated from a seed with a known
structure: each student has an ability and an engagement level; a quarter of them start to
fade in some week (their minutes fall week by week and, two weeks later, their correct rate
too); 8 % never use a platform. Answers, correct answers, scores, completions and active days
follow the minutes.

Then, per stage group (elementary, junior, senior), timed:
- `version_train`: the features at every usable Monday, the fit, the calibration and the
  evaluation (the model card); the examples it used and its AUC against the baseline;
- `scores_compute` as of this week's Monday: the features of every enrolled student, the
  prediction, the reasons and the writes: students/s. A version that did not pass its gate
  is enabled for this timing anyway (said so in the output): the throughput is the same.

It prints the machine, the versions and each figure. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analytics import build_county, database, machine, say, write_rows

WEEKS = 17


def generate_weeks(c: object, seed: int, today: dt.date) -> list[tuple]:
    """StudentWeek rows (see the module docstring) for every student of the county."""
    rng = np.random.default_rng(seed)
    monday = today - dt.timedelta(days=today.weekday())
    weeks = [monday - dt.timedelta(weeks=WEEKS - i) for i in range(WEEKS)]
    rows: list[tuple] = []
    county_id = c.county.pk  # type: ignore[attr-defined]
    for school in c.schools:  # type: ignore[attr-defined]
        kids = c.kids_by_school.get(school.pk, [])  # type: ignore[attr-defined]
        n = len(kids)
        if not n:
            continue
        ability = rng.normal(0.0, 1.0, n)
        engagement = np.exp(rng.normal(0.0, 0.6, n))
        never = rng.random(n) < 0.08
        fades = rng.random(n) < 0.25
        fade_week = rng.integers(4, WEEKS, n)
        for w, week in enumerate(weeks):
            faded = np.where(fades & (w >= fade_week), 0.6 ** (w - fade_week + 1), 1.0)
            later = np.where(fades & (w >= fade_week + 2), 0.9, 0.0)
            minutes = engagement * 70 * faded * np.exp(rng.normal(0.0, 0.35, n))
            active = ~never & (rng.random(n) < np.clip(0.35 + 0.5 * faded, 0, 0.92))
            answered = rng.poisson(np.maximum(minutes / 4, 0.1))
            p = 1 / (1 + np.exp(-(0.4 + 0.9 * ability - later)))
            correct = rng.binomial(answered, p)
            score_n = answered // 5
            for i in np.flatnonzero(active & (minutes >= 1)):
                kid = kids[i]
                m = float(minutes[i])
                rows.append(
                    (
                        county_id,
                        kid.person_id,
                        kid.school_id,
                        kid.class_id,
                        kid.grade,
                        week,
                        int(min(5, 1 + m // 25)),
                        int(m * 60),
                        int(answered[i] + m // 8),
                        int(m // 45),
                        int(answered[i] // 5),
                        int(answered[i]),
                        int(correct[i]),
                        float(score_n[i] * p[i]),
                        int(score_n[i]),
                    )
                )
    return rows


COLUMNS = [
    "county",
    "person",
    "school",
    "school_class",
    "grade",
    "week",
    "active_days",
    "seconds",
    "events",
    "completions",
    "attempts",
    "answered",
    "correct",
    "score_sum",
    "score_n",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="postgresql://… (default: SQLite)")
    parser.add_argument("--seed", type=int, default=114)
    parser.add_argument("--keep", action="store_true", help="keep the database for a look")
    args = parser.parse_args()

    with database(args.database_url, keep=args.keep) as where:
        import django

        django.setup()
        import sklearn
        from django.core.exceptions import ValidationError
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.db.models import Count
        from django.utils import timezone

        from dtss.analytics.models import StudentWeek
        from dtss.predict.features import monday
        from dtss.predict.model_services import scores_compute, version_enable, version_train
        from dtss.predict.models import ModelVersion, RiskScore, StageGroup

        call_command("migrate", verbosity=0)
        say(f"DTSS risk model benchmark on {where}, {connection.vendor}")
        for line in machine():
            say(line)
        say(f"libraries scikit-learn {sklearn.__version__}, numpy {np.__version__}")
        today = timezone.localdate()
        t = time.perf_counter()
        c = build_county(args.students, args.students, random.Random(args.seed), today)
        students = sum(len(k) for k in c.kids_by_school.values())
        built = time.perf_counter() - t
        say(f"county    {len(c.schools)} schools, {students:,} students ({built:.1f} s)")
        t = time.perf_counter()
        rows = generate_weeks(c, args.seed, today)
        with transaction.atomic():
            for i in range(0, len(rows), 50_000):
                write_rows(StudentWeek, COLUMNS, rows[i : i + 50_000])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        written = time.perf_counter() - t
        say(f"rollups   {len(rows):,} StudentWeek rows over {WEEKS} weeks ({written:.1f} s)")
        say("")
        say(
            f"{'stage':<11} {'examples':>9} {'AUC':>6} {'base':>6} {'passed':>6} "
            f"{'train s':>8} {'scored':>8} {'score s':>8} {'students/s':>10}"
        )
        as_of = monday(today)
        for stage in StageGroup.values:
            t = time.perf_counter()
            try:
                version = version_train(county=c.county, stage=stage, today=today)
            except ValidationError as exc:  # a small county may have no school of a stage
                say(f"{stage:<11} not trained: {'; '.join(exc.messages)}")
                continue
            train_s = time.perf_counter() - t
            card = version.card
            examples = sum(card["n"].values())
            note = ""
            if not version.passed:  # time the scoring anyway: its cost does not depend on it
                ModelVersion.objects.filter(pk=version.pk).update(passed=True)
                version.refresh_from_db()
                note = " (enabled for the timing although it did not pass its gate)"
            version_enable(version=version, actor=None)
            t = time.perf_counter()
            scored = scores_compute(county=c.county, stage=stage, as_of=as_of)
            score_s = time.perf_counter() - t
            auc, base = card["auc"] or 0, card["baseline_auc"] or 0
            rate = scored / score_s if score_s else 0
            say(
                f"{stage:<11} {examples:>9,} {auc:>6.3f} {base:>6.3f} "
                f"{'yes' if not note else 'no':>6} {train_s:>8.1f} {scored:>8,} {score_s:>8.1f} "
                f"{rate:>10,.0f}{note}"
            )
        bands = dict(RiskScore.objects.values_list("band").annotate(n=Count("id")).order_by())
        say(f"bands     {bands}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
