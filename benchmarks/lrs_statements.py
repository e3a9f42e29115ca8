"""Realistic xAPI statements for the LRS benchmarks, the same ones for every run of a seed.

    python benchmarks/lrs_statements.py [--count 3] [--seed 2026]   # prints a few, to look at

What Taiwan's learning platforms send (因材網 as the example): 20,000 students identified by an
`account` (homePage https://adl.edu.tw, name = school code + student number), the ADL verbs
(experienced, attempted, answered, completed, passed, failed, progressed) displayed in zh-TW and
en-US, ~5,000 activities (knowledge nodes, videos, exercises) with definitions, results (score,
success, completion, duration) where the verb has one, a context (registration per student and
knowledge node, parent and grouping activities, platform 因材網, language zh-TW, subject and
grade extensions) and timestamps spread over the first term of school year 115 (2026-08-31 to
2027-01-20, in Taiwan's +08:00, during the school day and the evening). Each statement has an
explicit UUID id. Everything is valid under xAPI 1.0.3 (and 2.0.0).

`statement_batches(seed, total, batch)` yields (ids, body) with the body as UTF-8 JSON bytes, so
the clients of the benchmark spend no time building JSON. The generator is deterministic: the
same seed gives the same statements, ids and order, so DTSS and Ralph get the very same batches.
The dicts share their sub-objects (verbs, activities): serialize them, don't mutate them.
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

HOME_PAGE = "https://adl.edu.tw"
ACTIVITY_BASE = "https://adl.edu.tw/xapi/activities"
EXT_SUBJECT = "https://dtss.edu.tw/xapi/extensions/subject"
EXT_GRADE = "https://dtss.edu.tw/xapi/extensions/grade"
EXT_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
REGISTRATION_NS = uuid.UUID("6f1c2a52-5a0e-4d8e-9d0b-1f7c8a6b2e11")

STUDENTS = 20_000
NODES = 1_000  # knowledge nodes 知識節點
VIDEOS = 2_000  # one or two per node
EXERCISES = 2_000  # one or two per node
TERM_START = datetime(2026, 8, 31, tzinfo=UTC) - timedelta(hours=8)  # 00:00 in Taipei
TERM_DAYS = 142
TAIPEI = "+08:00"

# (key, zh-TW, en-US)
SUBJECTS = [
    ("math", "數學", "Mathematics"),
    ("chinese", "國語文", "Mandarin"),
    ("english", "英語文", "English"),
    ("science", "自然科學", "Science"),
    ("social", "社會", "Social studies"),
]
GRADES = [3, 4, 5, 6, 7, 8, 9]

ADL = "http://adlnet.gov/expapi/verbs/"
# verb: (zh-TW, weight)
VERBS = {
    "experienced": ("觀看", 25),
    "attempted": ("嘗試", 10),
    "answered": ("作答", 35),
    "completed": ("完成", 10),
    "passed": ("通過", 8),
    "failed": ("未通過", 4),
    "progressed": ("進行", 8),
}
TYPE_NODE = "http://adlnet.gov/expapi/activities/objective"
TYPE_VIDEO = "https://w3id.org/xapi/video/activity-type/video"
TYPE_EXERCISE = "http://adlnet.gov/expapi/activities/assessment"
TYPE_QUESTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
TYPE_COURSE = "http://adlnet.gov/expapi/activities/course"


@dataclass(frozen=True)
class Node:
    ref: dict[str, Any]  # {"id": ..., "objectType": "Activity"} for contextActivities.parent
    activity: dict[str, Any]  # the full object with its definition
    videos: list[dict[str, Any]]
    exercises: list[dict[str, Any]]
    grouping: list[dict[str, Any]]  # the course of subject and grade
    extensions: dict[str, Any]


@dataclass(frozen=True)
class Student:
    account_name: str
    grade: int
    actor: dict[str, Any]


class World:
    """The fixed population of a seed: students, knowledge nodes and their videos and exercises."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"world-{seed}")
        self.verbs = {
            name: {"id": ADL + name, "display": {"zh-TW": zh, "en-US": name}}
            for name, (zh, _w) in VERBS.items()
        }
        self.verb_names = list(VERBS)
        self.verb_weights = [w for _zh, w in VERBS.values()]
        self.nodes_by_grade: dict[int, list[Node]] = {g: [] for g in GRADES}
        self.activity_ids: list[str] = []
        videos_left, exercises_left = VIDEOS, EXERCISES
        for i in range(NODES):
            key, subject_zh, subject_en = SUBJECTS[i % len(SUBJECTS)]
            grade = GRADES[(i // len(SUBJECTS)) % len(GRADES)]
            code = f"{key[0].upper()}-{grade}-{i:04d}"
            node_id = f"{ACTIVITY_BASE}/node/{code}"
            name = (
                f"{subject_zh}{grade}年級 知識節點 {i:04d}",
                f"{subject_en} G{grade} node {i:04d}",
            )
            node = {
                "objectType": "Activity",
                "id": node_id,
                "definition": {
                    "name": {"zh-TW": name[0], "en-US": name[1]},
                    "description": {
                        "zh-TW": f"{name[0]}的學習內容",
                        "en-US": f"Content of {name[1]}",
                    },
                    "type": TYPE_NODE,
                },
            }
            n_videos = 2 if videos_left > (NODES - i) else 1
            n_exercises = 2 if exercises_left > (NODES - i) else 1
            n_videos = min(n_videos, videos_left) or 1
            n_exercises = min(n_exercises, exercises_left) or 1
            videos_left -= n_videos
            exercises_left -= n_exercises
            videos = [
                {
                    "objectType": "Activity",
                    "id": f"{ACTIVITY_BASE}/video/{code}-V{v + 1}",
                    "definition": {
                        "name": {
                            "zh-TW": f"{name[0]} 教學影片 {v + 1}",
                            "en-US": f"{name[1]} video {v + 1}",
                        },
                        "type": TYPE_VIDEO,
                    },
                }
                for v in range(n_videos)
            ]
            exercises = [
                {
                    "objectType": "Activity",
                    "id": f"{ACTIVITY_BASE}/exercise/{code}-E{e + 1}",
                    "definition": {
                        "name": {
                            "zh-TW": f"{name[0]} 練習題 {e + 1}",
                            "en-US": f"{name[1]} exercise {e + 1}",
                        },
                        "type": rng.choice([TYPE_EXERCISE, TYPE_QUESTION]),
                    },
                }
                for e in range(n_exercises)
            ]
            course = {
                "objectType": "Activity",
                "id": f"{ACTIVITY_BASE}/course/{key}-{grade}",
                "definition": {
                    "name": {
                        "zh-TW": f"{subject_zh} {grade}年級",
                        "en-US": f"{subject_en} G{grade}",
                    },
                    "type": TYPE_COURSE,
                },
            }
            self.nodes_by_grade[grade].append(
                Node(
                    ref={"objectType": "Activity", "id": node_id},
                    activity=node,
                    videos=videos,
                    exercises=exercises,
                    grouping=[course],
                    extensions={EXT_SUBJECT: key, EXT_GRADE: grade},
                )
            )
            self.activity_ids += [node_id] + [a["id"] for a in videos + exercises]
        schools: list[str] = []  # 200 distinct MOE-like school codes, 100 students each
        while len(schools) < 200:
            code = f"{rng.randrange(10, 99):02d}{rng.randrange(0, 9999):04d}"
            if code not in schools:
                schools.append(code)
        self.students: list[Student] = []
        for i in range(STUDENTS):
            school = schools[i % len(schools)]
            # school code, year of entry (ROC), number within the school: unique per student
            name = f"{school}{115 - rng.randrange(0, 7):03d}{i // len(schools):04d}"
            self.students.append(
                Student(
                    account_name=name,
                    grade=GRADES[i % len(GRADES)],
                    actor={"objectType": "Agent", "account": {"homePage": HOME_PAGE, "name": name}},
                )
            )


def _iso(moment: datetime) -> str:
    local = moment + timedelta(hours=8)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + TAIPEI


def _duration(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    return f"PT{minutes}M{seconds}S" if minutes else f"PT{seconds}S"


def statements(seed: int, world: World | None = None) -> Iterator[dict[str, Any]]:
    """An endless, deterministic stream of statements for the seed."""
    world = world or World(seed)
    rng = random.Random(f"statements-{seed}")
    verbs, names, weights = world.verbs, world.verb_names, world.verb_weights
    while True:
        student = world.students[rng.randrange(STUDENTS)]
        node = rng.choice(world.nodes_by_grade[student.grade])
        verb = rng.choices(names, weights)[0]
        day = rng.randrange(TERM_DAYS)
        hour = rng.choice((8, 9, 10, 11, 13, 14, 15, 16, 19, 20, 21))
        moment = TERM_START + timedelta(
            days=day, hours=hour, seconds=rng.randrange(3600), microseconds=rng.randrange(10**6)
        )
        registration = uuid.uuid5(REGISTRATION_NS, f"{student.account_name}/{node.ref['id']}")
        context: dict[str, Any] = {
            "registration": str(registration),
            "contextActivities": {"parent": [node.ref], "grouping": node.grouping},
            "platform": "因材網",
            "language": "zh-TW",
            "extensions": node.extensions,
        }
        result: dict[str, Any] | None = None
        if verb == "experienced":
            obj = rng.choice(node.videos)
            result = {"duration": _duration(rng.randrange(30, 900))}
        elif verb in ("attempted", "progressed"):
            obj = rng.choice([*node.exercises, node.activity])
            if verb == "progressed":
                result = {
                    "completion": False,
                    "extensions": {EXT_PROGRESS: rng.randrange(5, 100)},
                    "duration": _duration(rng.randrange(60, 1800)),
                }
        elif verb == "answered":
            obj = rng.choice(node.exercises)
            correct = rng.random() < 0.68
            result = {
                "success": correct,
                "response": rng.choice("ABCD"),
                "duration": _duration(rng.randrange(5, 240)),
            }
        elif verb == "completed":
            obj = rng.choice(node.videos + node.exercises + [node.activity])
            result = {"completion": True, "duration": _duration(rng.randrange(60, 2400))}
        else:  # passed, failed
            obj = rng.choice([*node.exercises, node.activity])
            raw = rng.randrange(60, 101) if verb == "passed" else rng.randrange(0, 60)
            result = {
                "score": {"scaled": raw / 100, "raw": raw, "min": 0, "max": 100},
                "success": verb == "passed",
                "completion": True,
                "duration": _duration(rng.randrange(120, 2400)),
            }
        statement: dict[str, Any] = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "actor": student.actor,
            "verb": verbs[verb],
            "object": obj,
        }
        if result is not None:
            statement["result"] = result
        statement["context"] = context
        statement["timestamp"] = _iso(moment)
        yield statement


def statement_batches(
    seed: int, total: int, batch: int, world: World | None = None
) -> Iterator[tuple[list[str], bytes]]:
    """`total` statements in batches of `batch`: (their ids, the JSON array as UTF-8 bytes)."""
    stream = statements(seed, world)
    sent = 0
    while sent < total:
        size = min(batch, total - sent)
        chunk = [next(stream) for _ in range(size)]
        body = json.dumps(chunk, ensure_ascii=False, separators=(",", ":")).encode()
        yield [s["id"] for s in chunk], body
        sent += size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    stream = statements(args.seed)
    for _ in range(args.count):
        print(json.dumps(next(stream), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
