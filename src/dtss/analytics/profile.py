"""The DTSS xAPI profile: the verbs, activity types, extensions and subjects DTSS reads.

Platforms that send statements to the county's LRS (or whose exports are mapped to statements)
follow this profile so that records of 因材網, 酷課雲, 均一, Google Classroom and 酷英網 add up.
It is documented for platform vendors in docs/xapi-profile.md; the tables here are the single
source of both the documentation page and the rollups.
"""

from __future__ import annotations

from dataclasses import dataclass

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
EXT = "https://dtss.tw/xapi/extensions/"
EXT_SUBJECT = EXT + "subject"  # one of SUBJECTS' codes
EXT_GRADE = EXT + "grade"  # 1–12
EXT_NODE = EXT + "knowledge-node"  # the platform's knowledge node (因材網 節點) id
EXT_DOMAIN = EXT + "curriculum-domain"  # 108 curriculum learning-performance code, e.g. n-III-6
ACTIVITY_TYPES = "https://dtss.tw/xapi/activity-types/"


@dataclass(frozen=True)
class Term:
    code: str
    iri: str
    zh: str
    en: str
    meaning: str


VERBS: tuple[Term, ...] = (
    Term(
        "experienced",
        ADL_VERBS + "experienced",
        "看過",
        "experienced",
        "Watched a video or read a page; result.duration is the time spent.",
    ),
    Term(
        "attempted",
        ADL_VERBS + "attempted",
        "嘗試",
        "attempted",
        "Started an exercise, quiz or assessment.",
    ),
    Term(
        "answered",
        ADL_VERBS + "answered",
        "作答",
        "answered",
        "Answered one question; result.success is whether it was correct.",
    ),
    Term(
        "completed",
        ADL_VERBS + "completed",
        "完成",
        "completed",
        "Finished an activity (video, exercise set, knowledge node).",
    ),
    Term(
        "passed",
        ADL_VERBS + "passed",
        "通過",
        "passed",
        "Passed an assessment; result.score.scaled is the score.",
    ),
    Term(
        "failed",
        ADL_VERBS + "failed",
        "未通過",
        "failed",
        "Did not pass an assessment; result.score.scaled is the score.",
    ),
    Term(
        "mastered",
        ADL_VERBS + "mastered",
        "精熟",
        "mastered",
        "Reached mastery of a knowledge node (因材網 動態評量).",
    ),
    Term(
        "progressed",
        ADL_VERBS + "progressed",
        "進展",
        "progressed",
        "Made progress in an activity; result.extensions may carry the progress.",
    ),
    Term("scored", ADL_VERBS + "scored", "得分", "scored", "Received a score."),
)
VERB_BY_IRI = {v.iri: v for v in VERBS}
VERB_BY_CODE = {v.code: v for v in VERBS}
VOIDED = ADL_VERBS + "voided"

ACTIVITY_KINDS: tuple[Term, ...] = (
    Term("video", ACTIVITY_TYPES + "video", "影片", "video", "A teaching video."),
    Term(
        "exercise",
        ACTIVITY_TYPES + "exercise",
        "練習題",
        "exercise",
        "One practice question or set.",
    ),
    Term(
        "assessment",
        ACTIVITY_TYPES + "assessment",
        "評量",
        "assessment",
        "A test or a dynamic assessment (動態評量).",
    ),
    Term(
        "node",
        ACTIVITY_TYPES + "knowledge-node",
        "知識節點",
        "knowledge node",
        "A knowledge node of the platform's learning map.",
    ),
    Term("reading", ACTIVITY_TYPES + "reading", "閱讀", "reading", "An article, e-book or page."),
    Term(
        "assignment",
        ACTIVITY_TYPES + "assignment",
        "作業",
        "assignment",
        "An assignment (e.g. Google Classroom coursework).",
    ),
)
ACTIVITY_KIND_BY_CODE = {k.code: k for k in ACTIVITY_KINDS}

# The 108 curriculum's learning areas (領域) and the subjects platforms report, by code.
SUBJECTS: dict[str, tuple[str, str]] = {
    "chinese": ("國語文", "Chinese"),
    "english": ("英語文", "English"),
    "native": ("本土語文", "Native languages"),
    "math": ("數學", "Mathematics"),
    "science": ("自然科學", "Natural sciences"),
    "social": ("社會", "Social studies"),
    "arts": ("藝術", "Arts"),
    "integrative": ("綜合活動", "Integrative activities"),
    "technology": ("科技", "Technology"),
    "health_pe": ("健康與體育", "Health and PE"),
    "life": ("生活課程", "Life curriculum"),
    "other": ("其他", "Other"),
}
SUBJECT_ALIASES: dict[str, str] = {
    "國語": "chinese",
    "國文": "chinese",
    "國語文": "chinese",
    "中文": "chinese",
    "英語": "english",
    "英文": "english",
    "英語文": "english",
    "數學": "math",
    "自然": "science",
    "自然科學": "science",
    "理化": "science",
    "生物": "science",
    "社會": "social",
    "歷史": "social",
    "地理": "social",
    "公民": "social",
    "藝術": "arts",
    "綜合": "integrative",
    "綜合活動": "integrative",
    "科技": "technology",
    "資訊": "technology",
    "健體": "health_pe",
    "健康與體育": "health_pe",
    "生活": "life",
    "本土語": "native",
    "閩南語": "native",
    "客語": "native",
    "原住民族語": "native",
}


def subject_code(value: object) -> str:
    """The subject code for a code, an alias or a Chinese name; "" when unknown."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    low = text.lower()
    if low in SUBJECTS:
        return low
    return SUBJECT_ALIASES.get(text, "")


def subject_name(code: str, language: str) -> str:
    if code not in SUBJECTS:
        return code or "—"
    zh, en = SUBJECTS[code]
    return en if language.startswith("en") else zh
