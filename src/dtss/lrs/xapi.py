"""xAPI data rules: the statement validator and the helpers for agents, timestamps and formats.

A pure module (no database). `validate_statement` checks every MUST of xAPI Data (1.0.3
xAPI-Data.md §2.2–§2.5 and §4, plus the 2.0.0 / IEEE 9274.1.1 additions) and raises
`StatementInvalid` naming the offending property with a dotted/indexed path such as
``statement.context.contextActivities.parent[0].id``; it returns the statement as the LRS stores
it (contextActivities values always lists).

The validator is hand-written rather than a set of Pydantic models: the rules are mostly not
type rules (exactly one inverse functional identifier, objectType-dependent shapes, revision and
platform only with an Activity object, language-tag grammar, version-dependent properties), the
error must name one exact path with a spec-worded message, and a realistic statement must be
checked in well under 50 µs (see benchmarks/lrs_validate.py).
"""

from __future__ import annotations

import datetime
import json
import math
import re
from typing import Any

__all__ = [
    "INTERACTION_TYPES",
    "VOIDED_VERB",
    "StatementInvalid",
    "accept_languages",
    "agent_key",
    "format_timestamp",
    "group_member_keys",
    "is_language_tag",
    "parse_agent_param",
    "parse_timestamp",
    "statement_canonical_format",
    "statement_ids_format",
    "validate_activity",
    "validate_activity_definition",
    "validate_agent",
    "validate_duration",
    "validate_extensions",
    "validate_iri",
    "validate_language_map",
    "validate_statement",
    "validate_statement_batch",
    "validate_uuid",
]

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"


class StatementInvalid(Exception):
    """A statement (or a parameter holding xAPI data) breaks a rule of the specification.

    `field` names the offending property as a dotted/indexed path, e.g.
    ``statement.actor.mbox`` or ``statements[3].context.contextActivities.parent[0].id``.
    """

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


def _fail(field: str, problem: str) -> None:
    raise StatementInvalid(f"{field} {problem}", field)


# --------------------------------------------------------------------------------------------
# Special data types (Data §4)
# --------------------------------------------------------------------------------------------

# An absolute IRI: a scheme (RFC 3987 §2.2) and a non-empty remainder without white space or the
# characters IRIs exclude.
_IRI_RE = re.compile(r'[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>"{}|\\^`]+\Z')
_MAILTO_RE = re.compile(r"mailto:[^@\s:/?#]+@[^@\s/?#]+\Z")
_SHA1_RE = re.compile(r"[0-9a-fA-F]{40}\Z")
_SHA2_RE = re.compile(r"(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})\Z")
_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)
_MIME_RE = re.compile(r"[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+\s*(?:;.*)?\Z", re.S)
_DURATION_RE = re.compile(
    r"P(?:\d+(?:[.,]\d+)?W"
    r"|(?=\d|T\d)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?)\Z"
)
_VERSION_RE = {
    "1.0.3": re.compile(r"1\.0(?:\.\d+)?\Z"),
    "2.0.0": re.compile(r"[12]\.0(?:\.\d+)?\Z"),
}
_TIMESTAMP_RE = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})[Tt ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?"
    r"(Z|z|([+-])(\d{2})(?::?(\d{2}))?)?\Z"
)

# RFC 5646 §2.1 (language tags, case-insensitive), with the grandfathered tags of §2.2.8.
_LANGTAG_RE = re.compile(
    r"""
    (?:
      (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})   # language [-extlang]
      (?:-[a-z]{4})?                                         # script
      (?:-(?:[a-z]{2}|[0-9]{3}))?                            # region
      (?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)
      (?P<extensions>(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*)
      (?:-x(?:-[a-z0-9]{1,8})+)?                             # private use
    | x(?:-[a-z0-9]{1,8})+
    | en-gb-oed | i-ami | i-bnn | i-default | i-enochian | i-hak | i-klingon | i-lux
    | i-mingo | i-navajo | i-pwn | i-tao | i-tay | i-tsu | sgn-be-fr | sgn-be-nl | sgn-ch-de
    | art-lojban | cel-gaulish | no-bok | no-nyn | zh-guoyu | zh-hakka | zh-min | zh-min-nan
    | zh-xiang
    )\Z
    """,
    re.I | re.X,
)
_SINGLETON_RE = re.compile(r"-([0-9a-wyz])(?=-)", re.I)
_valid_tags: set[str] = set()


def is_language_tag(tag: Any) -> bool:
    """Whether `tag` is a well-formed RFC 5646 language tag (Data §4.2, XAPI-00121)."""
    if type(tag) is not str:
        return False
    if tag in _valid_tags:
        return True
    m = _LANGTAG_RE.match(tag)
    if m is None:
        return False
    variants = m.group("variants")
    if variants:
        seen = variants.lower().split("-")[1:]
        if len(seen) != len(set(seen)):
            return False  # RFC 5646 §2.2.5: a variant must not repeat
    extensions = m.group("extensions")
    if extensions:
        singletons = [s.lower() for s in _SINGLETON_RE.findall(extensions + "-")]
        if len(singletons) != len(set(singletons)):
            return False  # RFC 5646 §2.2.6: a singleton must not repeat
    if len(_valid_tags) < 4096:
        _valid_tags.add(tag)
    return True


def validate_iri(value: Any, *, field: str) -> str:
    """An absolute IRI (Data §4.1.3 / RFC 3987): a string with a scheme."""
    if type(value) is not str:
        _fail(field, "must be an IRI string")
    if _IRI_RE.match(value) is None:
        _fail(field, "must be an absolute IRI (scheme:...)")
    return value


def validate_uuid(value: Any, *, field: str) -> str:
    """A UUID in its standard string form (Data §4.4 / RFC 4122) → the canonical lower case."""
    if type(value) is not str:
        _fail(field, "must be a UUID string")
    if _UUID_RE.match(value) is None:
        _fail(field, "must be a UUID (8-4-4-4-12 hexadecimal digits)")
    return value.lower()


def validate_duration(value: Any, *, field: str) -> str:
    """An ISO 8601:2004 §4.4.3.2 duration (Data §4.6, XAPI-00124)."""
    if type(value) is not str:
        _fail(field, "must be an ISO 8601 duration string")
    if _DURATION_RE.match(value) is None:
        _fail(field, "must be an ISO 8601 duration (e.g. PT1H30M5.5S)")
    return value


def validate_language_map(value: Any, *, field: str) -> None:
    """A language map (Data §4.2): a non-empty object of RFC 5646 tags to strings."""
    if type(value) is not dict:
        _fail(field, "must be a language map object")
    if not value:
        _fail(field, "must be a language map with at least one entry")
    for tag, text in value.items():
        if not is_language_tag(tag):
            _fail(f"{field}.{tag}", "is not a valid RFC 5646 language tag")
        if type(text) is not str:
            _fail(f"{field}.{tag}", "must be a string")


_iri_ok: set[str] = set()


def _iri(value: Any, parent: str, key: str) -> str:
    """validate_iri for `parent`.`key`, with a cache of the IRIs already seen valid."""
    if value.__class__ is str and value in _iri_ok:
        return value
    validate_iri(value, field=f"{parent}.{key}")
    if len(_iri_ok) < 65536:
        _iri_ok.add(value)
    return value


def _lmap(value: Any, parent: str, key: str) -> None:
    """validate_language_map for `parent`.`key`, fast when every tag is already known."""
    if value.__class__ is dict and value:
        for tag, text in value.items():
            if text.__class__ is not str or tag not in _valid_tags:
                break
        else:
            return
    validate_language_map(value, field=f"{parent}.{key}")


def validate_extensions(value: Any, *, field: str) -> None:
    """An extensions object (Data §4.1): IRI keys, any JSON values (null included)."""
    if type(value) is not dict:
        _fail(field, "must be an object")
    for key in value:
        if type(key) is not str or _IRI_RE.match(key) is None:
            _fail(f"{field}.{key}", "extension keys must be IRIs")


def _string(value: Any, field: str) -> None:
    if type(value) is not str:
        _fail(field, "must be a string")


def _bad_keys(data: dict[str, Any], allowed: frozenset[str], field: str) -> None:
    """Name the unknown (or wrongly cased) property or the null value (Data §2.2,
    XAPI-00001/8/10); the callers check `allowed.issuperset(data)` and nulls inline."""
    if not allowed.issuperset(data):
        for key in data:
            if key not in allowed:
                _fail(
                    f"{field}.{key}",
                    "is not an allowed property (property names are case-sensitive)",
                )
    if None in data.values():
        for key, value in data.items():
            if value is None:
                _fail(f"{field}.{key}", "must not be null")


# --------------------------------------------------------------------------------------------
# Timestamps (Data §4.5)
# --------------------------------------------------------------------------------------------

_UTC = datetime.UTC
_offsets: dict[int, datetime.tzinfo] = {0: _UTC}


def parse_timestamp(value: Any, *, field: str, require_timezone: bool = False) -> datetime.datetime:
    """An ISO 8601 / RFC 3339 timestamp → an aware datetime.

    Extended and basic formats, "T", "t" or a space between date and time, a fraction of any
    length (kept to the microsecond). A missing offset means UTC unless `require_timezone`
    (xAPI 2.0.0 statements); the "unknown local offset" forms -00, -0000, -00:00 are rejected
    (XAPI-00123).
    """
    if type(value) is not str:
        _fail(field, "must be an ISO 8601 timestamp string")
    m = _TIMESTAMP_RE.match(value)
    if m is None:
        _fail(field, "must be an ISO 8601 timestamp (e.g. 2024-05-01T08:30:00.000Z)")
    year, month, day, hour, minute, second, fraction, zone, sign, oh, om = m.groups()
    tz: datetime.tzinfo
    if zone is None:
        if require_timezone:
            _fail(field, "must include a time zone offset")
        tz = _UTC
    elif sign is None:
        tz = _UTC
    else:
        minutes = int(oh) * 60 + int(om or 0)
        if sign == "-":
            if minutes == 0:
                _fail(field, "must not use the unknown-offset form -00:00")
            minutes = -minutes
        if minutes >= 24 * 60 or minutes <= -24 * 60 or int(om or 0) >= 60:
            _fail(field, "has an invalid time zone offset")
        tz = _offsets.get(minutes) or _offsets.setdefault(
            minutes, datetime.timezone(datetime.timedelta(minutes=minutes))
        )
    micro = int((fraction + "00000")[:6]) if fraction else 0
    try:
        dt = datetime.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tz
        )
    except ValueError:
        _fail(field, "is not a valid date and time")
    return dt


def format_timestamp(dt: datetime.datetime) -> str:
    """RFC 3339 in UTC with "Z" and microseconds, e.g. 2024-05-01T08:30:00.123000Z."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_UTC)
    elif dt.utcoffset():
        dt = dt.astimezone(_UTC)
    return (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:"
        f"{dt.second:02d}.{dt.microsecond:06d}Z"
    )


# --------------------------------------------------------------------------------------------
# Actors (Data §2.4.2)
# --------------------------------------------------------------------------------------------

_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
_AGENT_KEYS = frozenset({"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"})
_GROUP_KEYS = _AGENT_KEYS | {"member"}
_ACCOUNT_KEYS = frozenset({"homePage", "name"})
_AGENT_MARKERS = frozenset({*_IFIS, "member"})


def _ifis(data: dict[str, Any], field: str) -> int:
    """Validate the inverse functional identifiers present; return how many there are."""
    count = 0
    value = data.get("mbox")
    if value is not None:
        count += 1
        if type(value) is not str or _MAILTO_RE.match(value) is None:
            _fail(f"{field}.mbox", 'must be a "mailto:" IRI of an e-mail address')
    value = data.get("mbox_sha1sum")
    if value is not None:
        count += 1
        if type(value) is not str or _SHA1_RE.match(value) is None:
            _fail(f"{field}.mbox_sha1sum", "must be a SHA-1 hash in 40 hexadecimal digits")
    value = data.get("openid")
    if value is not None:
        count += 1
        _iri(value, field, "openid")
    value = data.get("account")
    if value is not None:
        count += 1
        f = f"{field}.account"
        if type(value) is not dict:
            _fail(f, "must be an object with homePage and name")
        if not _ACCOUNT_KEYS.issuperset(value) or None in value.values():
            _bad_keys(value, _ACCOUNT_KEYS, f)
        if "homePage" not in value:
            _fail(f"{f}.homePage", "is required")
        _iri(value["homePage"], f, "homePage")
        if "name" not in value:
            _fail(f"{f}.name", "is required")
        _string(value["name"], f"{f}.name")
    return count


def _agent(data: Any, field: str, *, agent: bool = True, group: bool = True) -> bool:
    """Validate an Agent or Group (as allowed); return True for a Group."""
    if type(data) is not dict:
        _fail(field, "must be an Agent or Group object" if group else "must be an Agent object")
    object_type = data.get("objectType", "Agent")
    if object_type == "Agent":
        if not agent:
            _fail(field, 'must be a Group (objectType "Group")')
        if not _AGENT_KEYS.issuperset(data) or None in data.values():
            _bad_keys(data, _AGENT_KEYS, field)
        is_group = False
    elif object_type == "Group":
        if not group:
            _fail(f"{field}.objectType", 'must be "Agent" (a Group is not allowed here)')
        if not _GROUP_KEYS.issuperset(data) or None in data.values():
            _bad_keys(data, _GROUP_KEYS, field)
        is_group = True
    else:
        expected = '"Agent" or "Group"' if group and agent else '"Group"' if group else '"Agent"'
        _fail(f"{field}.objectType", f"must be {expected}")
    name = data.get("name")
    if name is not None and type(name) is not str:
        _fail(f"{field}.name", "must be a string")
    count = _ifis(data, field)
    if count > 1:
        _fail(field, "must have exactly one of mbox, mbox_sha1sum, openid, account")
    if not is_group:
        if count == 0:
            _fail(field, "must have exactly one of mbox, mbox_sha1sum, openid, account")
        return False
    members = data.get("member")
    if members is not None:
        if type(members) is not list:
            _fail(f"{field}.member", "must be an array of Agents")
        for i, member in enumerate(members):
            _agent(member, f"{field}.member[{i}]", group=False)
    if count == 0 and not members:
        _fail(f"{field}.member", "is required: an anonymous Group must list its member Agents")
    return True


def validate_agent(data: Any, *, version: str, field: str, allow_group: bool = True) -> None:
    """An Agent, or also a Group when `allow_group` (Data §2.4.2)."""
    _agent(data, field, group=allow_group)


def parse_agent_param(text: str, *, version: str, field: str = "agent") -> dict[str, Any]:
    """The `agent` query parameter: JSON of an Agent or identified Group (Communication §2.1.3,
    §2.3, §2.6)."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        raise StatementInvalid(f"{field} must be a JSON Agent object", field) from None
    is_group = _agent(data, field)
    if is_group and not _ifis(data, field):
        _fail(field, "must be an Agent or an identified Group (with an IFI)")
    return data


def agent_key(agent: dict[str, Any]) -> str:
    """The canonical key of the agent's inverse functional identifier; "" if it has none."""
    value = agent.get("mbox")
    if value is not None:
        return f"mbox:{value}"
    value = agent.get("mbox_sha1sum")
    if value is not None:
        return f"mbox_sha1sum:{value.lower()}"
    value = agent.get("openid")
    if value is not None:
        return f"openid:{value}"
    value = agent.get("account")
    if value is not None:
        return f"account:{value['homePage']}|{value['name']}"
    return ""


def group_member_keys(agent: dict[str, Any]) -> list[str]:
    """The keys of a Group's members (an empty list for an Agent or a Group without members)."""
    return [agent_key(member) for member in agent.get("member") or ()]


# --------------------------------------------------------------------------------------------
# Verb, objects, activity definitions (Data §2.4.3, §2.4.4)
# --------------------------------------------------------------------------------------------

_VERB_KEYS = frozenset({"id", "display"})
_ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
_STATEMENT_REF_KEYS = frozenset({"objectType", "id"})
_DEFINITION_KEYS = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        "choices",
        "scale",
        "source",
        "target",
        "steps",
    }
)
_PLAIN_DEFINITION_KEYS = frozenset({"name", "description", "type", "moreInfo", "extensions"})
_COMPONENT_KEYS = frozenset({"id", "description"})
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
INTERACTION_TYPES: dict[str, tuple[str, ...]] = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}


def _verb(data: Any, field: str) -> str:
    if type(data) is not dict:
        _fail(field, "must be a Verb object")
    if not _VERB_KEYS.issuperset(data) or None in data.values():
        _bad_keys(data, _VERB_KEYS, field)
    if "id" not in data:
        _fail(f"{field}.id", "is required")
    verb_id = _iri(data["id"], field, "id")
    display = data.get("display")
    if display is not None:
        _lmap(display, field, "display")
    return verb_id


def validate_activity_definition(data: Any, *, version: str, field: str) -> None:
    """An Activity Definition with its interaction components (Data §2.4.4.1)."""
    if type(data) is not dict:
        _fail(field, "must be an Activity Definition object")
    if not _DEFINITION_KEYS.issuperset(data) or None in data.values():
        _bad_keys(data, _DEFINITION_KEYS, field)
    value = data.get("name")
    if value is not None:
        _lmap(value, field, "name")
    value = data.get("description")
    if value is not None:
        _lmap(value, field, "description")
    value = data.get("type")
    if value is not None:
        _iri(value, field, "type")
    value = data.get("moreInfo")
    if value is not None:
        _iri(value, field, "moreInfo")
    value = data.get("extensions")
    if value is not None:
        validate_extensions(value, field=f"{field}.extensions")
    interaction = data.get("interactionType")
    if interaction is None:
        if not _PLAIN_DEFINITION_KEYS.issuperset(data):
            for key in ("correctResponsesPattern", *_COMPONENT_LISTS):
                if key in data:
                    _fail(f"{field}.{key}", "is only allowed with an interactionType")
        return
    if type(interaction) is not str or interaction not in INTERACTION_TYPES:
        _fail(
            f"{field}.interactionType",
            "must be one of " + ", ".join(INTERACTION_TYPES) + " (case-sensitive)",
        )
    allowed = INTERACTION_TYPES[interaction]
    pattern = data.get("correctResponsesPattern")
    if pattern is not None:
        f = f"{field}.correctResponsesPattern"
        if type(pattern) is not list:
            _fail(f, "must be an array of strings")
        for i, item in enumerate(pattern):
            if type(item) is not str:
                _fail(f"{f}[{i}]", "must be a string")
    for key in _COMPONENT_LISTS:
        components = data.get(key)
        if components is None:
            continue
        f = f"{field}.{key}"
        if key not in allowed:
            _fail(f, f'is not allowed with interactionType "{interaction}"')
        if type(components) is not list:
            _fail(f, "must be an array of interaction components")
        seen: set[str] = set()
        for i, component in enumerate(components):
            fc = f"{f}[{i}]"
            if type(component) is not dict:
                _fail(fc, "must be an interaction component object")
            if not _COMPONENT_KEYS.issuperset(component) or None in component.values():
                _bad_keys(component, _COMPONENT_KEYS, fc)
            if "id" not in component:
                _fail(f"{fc}.id", "is required")
            cid = component["id"]
            _string(cid, f"{fc}.id")
            if cid in seen:
                _fail(f"{fc}.id", "must be distinct within the list")
            seen.add(cid)
            description = component.get("description")
            if description is not None:
                _lmap(description, fc, "description")


def validate_activity(data: Any, *, version: str, field: str) -> None:
    """An Activity object (Data §2.4.4.1): objectType "Activity" (optional), id IRI, definition."""
    if type(data) is not dict:
        _fail(field, "must be an Activity object")
    object_type = data.get("objectType", "Activity")
    if object_type != "Activity":
        _fail(f"{field}.objectType", 'must be "Activity"')
    if not _ACTIVITY_KEYS.issuperset(data) or None in data.values():
        _bad_keys(data, _ACTIVITY_KEYS, field)
    if "id" not in data:
        _fail(f"{field}.id", "is required")
    _iri(data["id"], field, "id")
    definition = data.get("definition")
    if definition is not None:
        validate_activity_definition(definition, version=version, field=f"{field}.definition")


def _statement_ref(data: Any, field: str) -> None:
    if type(data) is not dict:
        _fail(field, "must be a StatementRef object")
    if not _STATEMENT_REF_KEYS.issuperset(data) or None in data.values():
        _bad_keys(data, _STATEMENT_REF_KEYS, field)
    if data.get("objectType") != "StatementRef":
        _fail(f"{field}.objectType", 'must be "StatementRef"')
    if "id" not in data:
        _fail(f"{field}.id", "is required")
    validate_uuid(data["id"], field=f"{field}.id")


# --------------------------------------------------------------------------------------------
# Result (Data §2.4.5)
# --------------------------------------------------------------------------------------------

_RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
_SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})


def _number(value: Any, field: str) -> float:
    kind = type(value)
    if kind is not int and (kind is not float or not math.isfinite(value)):
        _fail(field, "must be a number")
    return value


def _result(data: Any, field: str) -> None:
    if type(data) is not dict:
        _fail(field, "must be a Result object")
    if not _RESULT_KEYS.issuperset(data) or None in data.values():
        _bad_keys(data, _RESULT_KEYS, field)
    score = data.get("score")
    if score is not None:
        f = f"{field}.score"
        if type(score) is not dict:
            _fail(f, "must be a Score object")
        if not _SCORE_KEYS.issuperset(score) or None in score.values():
            _bad_keys(score, _SCORE_KEYS, f)
        scaled = score.get("scaled")
        if scaled is not None and not -1 <= _number(scaled, f"{f}.scaled") <= 1:
            _fail(f"{f}.scaled", "must be between -1 and 1")
        low = score.get("min")
        if low is not None:
            _number(low, f"{f}.min")
        high = score.get("max")
        if high is not None:
            _number(high, f"{f}.max")
            if low is not None and not low < high:
                _fail(f"{f}.max", "must be greater than min")
        raw = score.get("raw")
        if raw is not None:
            _number(raw, f"{f}.raw")
            if low is not None and raw < low:
                _fail(f"{f}.raw", "must not be less than min")
            if high is not None and raw > high:
                _fail(f"{f}.raw", "must not be greater than max")
    value = data.get("success")
    if value is not None and type(value) is not bool:
        _fail(f"{field}.success", "must be a boolean")
    value = data.get("completion")
    if value is not None and type(value) is not bool:
        _fail(f"{field}.completion", "must be a boolean")
    value = data.get("response")
    if value is not None and type(value) is not str:
        _fail(f"{field}.response", "must be a string")
    value = data.get("duration")
    if value is not None:
        validate_duration(value, field=f"{field}.duration")
    value = data.get("extensions")
    if value is not None:
        validate_extensions(value, field=f"{field}.extensions")


# --------------------------------------------------------------------------------------------
# Context (Data §2.4.6)
# --------------------------------------------------------------------------------------------

_CONTEXT_KEYS = {
    "1.0.3": frozenset(
        {
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
        }
    ),
}
_CONTEXT_KEYS["2.0.0"] = _CONTEXT_KEYS["1.0.3"] | {"contextAgents", "contextGroups"}
_CONTEXT_ACTIVITY_KEYS = frozenset({"parent", "grouping", "category", "other"})
_CONTEXT_AGENT_KEYS = frozenset({"objectType", "agent", "relevantTypes"})
_CONTEXT_GROUP_KEYS = frozenset({"objectType", "group", "relevantTypes"})


def _relevant_types(data: dict[str, Any], field: str) -> None:
    types = data.get("relevantTypes")
    if types is None:
        return
    f = f"{field}.relevantTypes"
    if type(types) is not list:
        _fail(f, "must be an array of IRIs")
    if not types:
        _fail(f, "must not be empty")
    for i, item in enumerate(types):
        validate_iri(item, field=f"{f}[{i}]")


def _context_members(
    data: dict[str, Any],
    field: str,
    key: str,
    object_type: str,
    member: str,
    allowed: frozenset[str],
) -> None:
    """2.0.0's context.contextAgents / contextGroups: objects of `object_type` holding an
    Agent (or a Group) under `member`, with optional relevantTypes."""
    value = data.get(key)
    if value is None:
        return
    f = f"{field}.{key}"
    if type(value) is not list:
        _fail(f, f"must be an array of {object_type} objects")
    for i, item in enumerate(value):
        fi = f"{f}[{i}]"
        if type(item) is not dict:
            _fail(fi, f"must be a {object_type} object")
        if item.get("objectType") != object_type:
            _fail(f"{fi}.objectType", f'must be "{object_type}"')
        if not allowed.issuperset(item) or None in item.values():
            _bad_keys(item, allowed, fi)
        if member not in item:
            _fail(f"{fi}.{member}", "is required")
        _agent(item[member], f"{fi}.{member}", agent=member == "agent", group=member == "group")
        _relevant_types(item, fi)


def _context(data: Any, field: str, version: str, object_is_activity: bool) -> dict[str, Any]:
    """Validate a Context; return it normalised (contextActivities values as lists)."""
    if type(data) is not dict:
        _fail(field, "must be a Context object")
    if not _CONTEXT_KEYS[version].issuperset(data) or None in data.values():
        _bad_keys(data, _CONTEXT_KEYS[version], field)
    value = data.get("registration")
    if value is not None:
        validate_uuid(value, field=f"{field}.registration")
    value = data.get("instructor")
    if value is not None:
        _agent(value, f"{field}.instructor")
    value = data.get("team")
    if value is not None:
        _agent(value, f"{field}.team", agent=False)
    for key in ("revision", "platform"):
        value = data.get(key)
        if value is not None:
            _string(value, f"{field}.{key}")
            if not object_is_activity:
                _fail(f"{field}.{key}", "is only allowed when the object is an Activity")
    value = data.get("language")
    if value is not None and not is_language_tag(value):
        _fail(f"{field}.language", "must be an RFC 5646 language tag")
    value = data.get("statement")
    if value is not None:
        _statement_ref(value, f"{field}.statement")
    value = data.get("extensions")
    if value is not None:
        validate_extensions(value, field=f"{field}.extensions")
    if version != "1.0.3":
        _context_members(data, field, "contextAgents", "contextAgent", "agent", _CONTEXT_AGENT_KEYS)
        _context_members(data, field, "contextGroups", "contextGroup", "group", _CONTEXT_GROUP_KEYS)
    activities = data.get("contextActivities")
    if activities is None:
        return data
    f = f"{field}.contextActivities"
    if type(activities) is not dict:
        _fail(f, "must be an object with parent, grouping, category or other")
    if not _CONTEXT_ACTIVITY_KEYS.issuperset(activities) or None in activities.values():
        _bad_keys(activities, _CONTEXT_ACTIVITY_KEYS, f)
    normalised: dict[str, list[Any]] = {}
    for key, value in activities.items():
        fk = f"{f}.{key}"
        if type(value) is list:
            for i, item in enumerate(value):
                validate_activity(item, version=version, field=f"{fk}[{i}]")
            normalised[key] = value
        else:
            validate_activity(value, version=version, field=fk)
            normalised[key] = [value]
    out = dict(data)
    out["contextActivities"] = normalised
    return out


# --------------------------------------------------------------------------------------------
# Attachments (Data §2.4.11)
# --------------------------------------------------------------------------------------------

_ATTACHMENT_KEYS = frozenset(
    {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
)


def _attachments(data: Any, field: str) -> None:
    if type(data) is not list:
        _fail(field, "must be an array of Attachment objects")
    for i, item in enumerate(data):
        f = f"{field}[{i}]"
        if type(item) is not dict:
            _fail(f, "must be an Attachment object")
        if not _ATTACHMENT_KEYS.issuperset(item) or None in item.values():
            _bad_keys(item, _ATTACHMENT_KEYS, f)
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in item:
                _fail(f"{f}.{key}", "is required")
        _iri(item["usageType"], f, "usageType")
        _lmap(item["display"], f, "display")
        value = item.get("description")
        if value is not None:
            _lmap(value, f, "description")
        value = item["contentType"]
        if type(value) is not str or _MIME_RE.match(value) is None:
            _fail(f"{f}.contentType", "must be an Internet Media Type (e.g. text/plain)")
        value = item["length"]
        if type(value) is not int or value < 0:
            _fail(f"{f}.length", "must be a non-negative integer")
        value = item["sha2"]
        if type(value) is not str or _SHA2_RE.match(value) is None:
            _fail(f"{f}.sha2", "must be a SHA-2 hash in hexadecimal digits")
        value = item.get("fileUrl")
        if value is not None:
            _iri(value, f, "fileUrl")


# --------------------------------------------------------------------------------------------
# Statements (Data §2.2–§2.4)
# --------------------------------------------------------------------------------------------

_STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
_SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
_SUBSTATEMENT_FORBIDDEN = ("id", "stored", "version", "authority")


def _object(data: Any, field: str, version: str, *, nested: bool) -> tuple[str, Any]:
    """Validate a statement's object; return its objectType and the normalised object."""
    if type(data) is not dict:
        _fail(field, "must be an object (Activity, Agent, Group, StatementRef or SubStatement)")
    object_type = data.get("objectType", "Activity")
    if object_type == "Activity":
        if (
            "objectType" not in data
            and not _ACTIVITY_KEYS.issuperset(data)
            and not _AGENT_MARKERS.isdisjoint(data)
        ):
            # XAPI-00065: an Agent or Group object must state its objectType.
            _fail(f"{field}.objectType", 'is required ("Agent" or "Group") for an Agent object')
        validate_activity(data, version=version, field=field)
    elif object_type == "Agent" or object_type == "Group":
        _agent(data, field)
    elif object_type == "StatementRef":
        _statement_ref(data, field)
    elif object_type == "SubStatement":
        if nested:
            _fail(f"{field}.objectType", "must not be a SubStatement inside a SubStatement")
        return object_type, _statement(data, field, version, sub=True)
    else:
        _fail(
            f"{field}.objectType",
            'must be "Activity", "Agent", "Group", "StatementRef" or "SubStatement"',
        )
    return object_type, data


def _statement(data: Any, field: str, version: str, *, sub: bool) -> dict[str, Any]:
    if type(data) is not dict:
        _fail(field, "must be a Statement object")
    if sub:
        for key in _SUBSTATEMENT_FORBIDDEN:
            if key in data:
                _fail(f"{field}.{key}", "is not allowed in a SubStatement")
        if not _SUBSTATEMENT_KEYS.issuperset(data) or None in data.values():
            _bad_keys(data, _SUBSTATEMENT_KEYS, field)
    else:
        if not _STATEMENT_KEYS.issuperset(data) or None in data.values():
            _bad_keys(data, _STATEMENT_KEYS, field)
        value = data.get("id")
        if value is not None:
            validate_uuid(value, field=f"{field}.id")
    if "actor" not in data:
        _fail(f"{field}.actor", "is required")
    _agent(data["actor"], f"{field}.actor")
    if "verb" not in data:
        _fail(f"{field}.verb", "is required")
    verb_id = _verb(data["verb"], f"{field}.verb")
    if "object" not in data:
        _fail(f"{field}.object", "is required")
    object_type, obj = _object(data["object"], f"{field}.object", version, nested=sub)
    if verb_id == VOIDED_VERB and not sub and object_type != "StatementRef":
        _fail(f"{field}.object.objectType", 'must be "StatementRef" in a voiding statement')
    out = dict(data)
    if obj is not data["object"]:
        out["object"] = obj
    value = data.get("result")
    if value is not None:
        _result(value, f"{field}.result")
    value = data.get("context")
    if value is not None:
        out["context"] = _context(value, f"{field}.context", version, object_type == "Activity")
    require_tz = version != "1.0.3"
    value = data.get("timestamp")
    if value is not None:
        parse_timestamp(value, field=f"{field}.timestamp", require_timezone=require_tz)
    if not sub:
        value = data.get("stored")
        if value is not None:
            parse_timestamp(value, field=f"{field}.stored", require_timezone=require_tz)
        value = data.get("authority")
        if value is not None:
            _authority(value, f"{field}.authority")
        value = data.get("version")
        if value is not None and (
            type(value) is not str or _VERSION_RE[version].match(value) is None
        ):
            allowed = '"1.0" or "1.0.x"' if version == "1.0.3" else '"1.0.x" or "2.0.x"'
            _fail(f"{field}.version", f"must be {allowed}")
    value = data.get("attachments")
    if value is not None:
        _attachments(value, f"{field}.attachments")
    return out


def _authority(data: Any, field: str) -> None:
    """An Agent, or an anonymous Group of exactly two Agents (Data §2.4.9, XAPI-00098)."""
    if _agent(data, field):
        if _ifis(data, field):
            _fail(field, "must be an Agent or an anonymous Group (no IFI) of two Agents")
        if len(data["member"]) != 2:
            _fail(f"{field}.member", "must list exactly two Agents in an authority Group")


def validate_statement(data: Any, *, version: str, field: str = "statement") -> dict[str, Any]:
    """Raise StatementInvalid for any violation of the statement rules of `version` ("1.0.3" or
    "2.0.0"); return the statement normalised as the LRS stores it (a new dict):
    contextActivities values that are single objects become one-element lists."""
    if version not in _VERSION_RE:
        raise ValueError(f"unsupported xAPI version {version!r}")
    return _statement(data, field, version, sub=False)


def validate_statement_batch(data: Any, *, version: str) -> list[dict[str, Any]]:
    """The body of POST /statements: one statement (field "statement") or an array of them
    (fields "statements[i]"); return the normalised statements."""
    if type(data) is dict:
        return [validate_statement(data, version=version)]
    if type(data) is not list:
        raise StatementInvalid("statements must be a Statement object or an array", "statements")
    return [
        validate_statement(item, version=version, field=f"statements[{i}]")
        for i, item in enumerate(data)
    ]


# --------------------------------------------------------------------------------------------
# Output formats (Communication §2.1.3) and Accept-Language
# --------------------------------------------------------------------------------------------


def _agent_ids(agent: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "objectType" in agent:
        out["objectType"] = agent["objectType"]
    for key in _IFIS:
        if key in agent:
            out[key] = agent[key]
    if "member" in agent:
        out["member"] = [_agent_ids(member) for member in agent["member"]]
    return out


def _activity_ids(activity: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "objectType" in activity:
        out["objectType"] = activity["objectType"]
    out["id"] = activity["id"]
    return out


def _object_ids(obj: dict[str, Any]) -> dict[str, Any]:
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return _activity_ids(obj)
    if object_type in ("Agent", "Group"):
        return _agent_ids(obj)
    if object_type == "SubStatement":
        return statement_ids_format(obj)
    return obj


def statement_ids_format(statement: dict[str, Any]) -> dict[str, Any]:
    """format=ids: Agents, Groups, Activities and Verbs reduced to their identifiers (anonymous
    Groups keep their members, reduced the same way)."""
    out = dict(statement)
    if "actor" in out:
        out["actor"] = _agent_ids(out["actor"])
    if "verb" in out:
        out["verb"] = {"id": out["verb"]["id"]}
    if "object" in out:
        out["object"] = _object_ids(out["object"])
    if "authority" in out:
        out["authority"] = _agent_ids(out["authority"])
    context = out.get("context")
    if context:
        context = dict(context)
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _agent_ids(context[key])
        if "contextActivities" in context:
            context["contextActivities"] = {
                key: [_activity_ids(a) for a in (value if type(value) is list else [value])]
                for key, value in context["contextActivities"].items()
            }
        if "contextAgents" in context:
            context["contextAgents"] = [
                {**item, "agent": _agent_ids(item["agent"])} for item in context["contextAgents"]
            ]
        if "contextGroups" in context:
            context["contextGroups"] = [
                {**item, "group": _agent_ids(item["group"])} for item in context["contextGroups"]
            ]
        out["context"] = context
    return out


def _best_entry(language_map: dict[str, str], languages: list[str]) -> dict[str, str]:
    if len(language_map) <= 1:
        return dict(language_map)
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in languages:
        w = wanted.lower()
        if w in lowered:
            tag = lowered[w]
            return {tag: language_map[tag]}
        for low, tag in lowered.items():
            if low.startswith(w + "-") or w.startswith(low + "-"):
                return {tag: language_map[tag]}
    tag = next(iter(language_map))
    return {tag: language_map[tag]}


def _canonical_activity(activity: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    definition = activity.get("definition")
    if not definition:
        return activity
    definition = dict(definition)
    for key in ("name", "description"):
        if key in definition:
            definition[key] = _best_entry(definition[key], languages)
    for key in _COMPONENT_LISTS:
        if key in definition:
            definition[key] = [
                {**c, "description": _best_entry(c["description"], languages)}
                if "description" in c
                else c
                for c in definition[key]
            ]
    return {**activity, "definition": definition}


def statement_canonical_format(statement: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """format=canonical: every language map reduced to the single best entry for `languages`
    (an exact or prefix match in preference order, else the first entry)."""
    out = dict(statement)
    verb = out.get("verb")
    if verb and "display" in verb:
        out["verb"] = {**verb, "display": _best_entry(verb["display"], languages)}
    obj = out.get("object")
    if obj:
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            out["object"] = _canonical_activity(obj, languages)
        elif object_type == "SubStatement":
            out["object"] = statement_canonical_format(obj, languages)
    context = out.get("context")
    if context and "contextActivities" in context:
        out["context"] = {
            **context,
            "contextActivities": {
                key: [_canonical_activity(a, languages) for a in value]
                if type(value) is list
                else [_canonical_activity(value, languages)]
                for key, value in context["contextActivities"].items()
            },
        }
    attachments = out.get("attachments")
    if attachments:
        reduced = []
        for attachment in attachments:
            attachment = dict(attachment)
            for key in ("display", "description"):
                if key in attachment:
                    attachment[key] = _best_entry(attachment[key], languages)
            reduced.append(attachment)
        out["attachments"] = reduced
    return out


def accept_languages(header: str | None) -> list[str]:
    """The language ranges of an Accept-Language header, best first (q=0 and "*" dropped)."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, tag))
    ranked.sort()
    return [tag for _, _, tag in ranked]
