"""The statement validator (dtss.lrs.xapi): xAPI Data §2.2–§2.5 and §4, 1.0.3 and 2.0.0.

Pure functions, no database. Each case names its spec section and, where there is one, the
requirement id of adlnet/xapi-lrs-conformance-requirements (the ids the ADL conformance suite
uses). Most statement cases run four times: for xAPI 1.0.3 and 2.0.0, and on the statement
itself and on a SubStatement object (Data §2.4.4.3, XAPI-00066: "a Sub-Statement follows the
requirements of all Statements"). Invalid cases assert the exact field path named.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from dtss.lrs.xapi import (
    StatementInvalid,
    validate_statement,
    validate_statement_batch,
)

VERSIONS = ("1.0.3", "2.0.0")
DELETE = object()

ACTIVITY_ID = "http://www.example.com/meetings/occurances/34534"
UUID = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
SHA2 = "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"

AGENT = {"objectType": "Agent", "name": "xAPI mbox", "mbox": "mailto:xapi@adlnet.gov"}
AGENT_B = {"mbox": "mailto:bob@example.com"}
GROUP_ANON = {"objectType": "Group", "member": [AGENT, AGENT_B]}
GROUP_MBOX = {"objectType": "Group", "name": "Team", "mbox": "mailto:team@example.com"}
VERB = {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended"}}
ACTIVITY = {"objectType": "Activity", "id": ACTIVITY_ID}
STATEMENT_REF = {"objectType": "StatementRef", "id": UUID}
ATTACHMENT = {
    "usageType": "http://example.com/attachment-usage/test",
    "display": {"en-US": "A test attachment"},
    "description": {"en-US": "A test attachment (description)"},
    "contentType": "text/plain; charset=ascii",
    "length": 27,
    "sha2": SHA2,
    "fileUrl": "http://over.there.com/file.txt",
}
BASE: dict[str, Any] = {"actor": AGENT, "verb": VERB, "object": ACTIVITY}
SUB_BASE: dict[str, Any] = {
    "actor": AGENT,
    "verb": VERB,
    "object": {"objectType": "SubStatement", "actor": AGENT_B, "verb": VERB, "object": ACTIVITY},
}

_PATH_RE = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _parts(path: str) -> list[str | int]:
    return [int(index) if index else key for index, key in _PATH_RE.findall(path)]


def build(changes: dict[str, Any], *, base: dict[str, Any] = BASE, prefix: str = "") -> Any:
    """A deep copy of `base` with each dotted path set to its value (or deleted)."""
    data = json.loads(json.dumps(base))  # no shared sub-objects, unlike deepcopy
    for path, value in changes.items():
        parts = _parts(prefix + path)
        target: Any = data
        for part in parts[:-1]:
            if isinstance(part, str) and part not in target:
                target[part] = {}
            target = target[part]
        if value is DELETE:
            del target[parts[-1]]
        else:
            target[parts[-1]] = copy.deepcopy(value)
    return data


def expect_invalid(data: Any, version: str, field: str) -> StatementInvalid:
    with pytest.raises(StatementInvalid) as caught:
        validate_statement(data, version=version)
    assert caught.value.field == field, caught.value.message
    assert field in caught.value.message
    return caught.value


# Where a case is applied: the statement itself, or the SubStatement that is its object.
PLACES = {"statement": ("", BASE), "substatement": ("object.", SUB_BASE)}


def _place_params(cases: list[tuple]) -> list[Any]:
    params = []
    for case in cases:
        case_id = case[0]
        for version in VERSIONS:
            for place in PLACES:
                params.append(
                    pytest.param(version, place, *case[1:], id=f"{case_id}-{place}-{version}")
                )
    return params


# --------------------------------------------------------------------------------------------
# Invalid cases valid on both the statement and a SubStatement, both versions.
# (id, changes, field relative to the statement or SubStatement)
# --------------------------------------------------------------------------------------------

INVALID_CASES: list[tuple[str, dict[str, Any], str]] = [
    # Data §2.2 XAPI-00001: null values are rejected (except inside extensions).
    ("XAPI-00001 actor name null", {"actor.name": None}, "actor.name"),
    ("XAPI-00001 verb display null", {"verb.display": {"en-US": None}}, "verb.display.en-US"),
    ("XAPI-00001 registration null", {"context": {"registration": None}}, "context.registration"),
    (
        "XAPI-00001 moreInfo null",
        {"object.definition": {"moreInfo": None}},
        "object.definition.moreInfo",
    ),
    ("XAPI-00001 result success null", {"result": {"success": None}}, "result.success"),
    (
        "XAPI-00001 account name null",
        {"actor": {"account": {"homePage": "http://www.example.com", "name": None}}},
        "actor.account.name",
    ),
    ("XAPI-00001 timestamp null", {"timestamp": None}, "timestamp"),
    # Data §2.2 XAPI-00003/4/5: actor, verb and object are required.
    ("XAPI-00003 actor missing", {"actor": DELETE}, "actor"),
    ("XAPI-00004 verb missing", {"verb": DELETE}, "verb"),
    ("XAPI-00005 object missing", {"object": DELETE}, "object"),
    # Data §2.2 XAPI-00006: wrong data types, no coercion.
    ("XAPI-00006 max string", {"result": {"score": {"max": "one hundred"}}}, "result.score.max"),
    ("XAPI-00006 max numeric string", {"result": {"score": {"max": "100"}}}, "result.score.max"),
    ("XAPI-00006 raw boolean", {"result": {"score": {"raw": True}}}, "result.score.raw"),
    ("XAPI-00006 success string", {"result": {"success": "We regret"}}, "result.success"),
    ("XAPI-00006 completion 'false'", {"result": {"completion": "false"}}, "result.completion"),
    ("XAPI-00006 success 1", {"result": {"success": 1}}, "result.success"),
    ("XAPI-00006 name number", {"actor.name": 1}, "actor.name"),
    ("XAPI-00006 name boolean", {"actor.name": True}, "actor.name"),
    ("XAPI-00006 verb id number", {"verb.id": 12}, "verb.id"),
    ("XAPI-00006 display text number", {"verb.display": {"en-US": 1}}, "verb.display.en-US"),
    ("XAPI-00006 actor string", {"actor": "xapi@adlnet.gov"}, "actor"),
    ("XAPI-00006 verb string", {"verb": "attended"}, "verb"),
    ("XAPI-00006 object list", {"object": [ACTIVITY]}, "object"),
    # Data §2.2 XAPI-00007: formatted strings (mailto IRI, UUID, IRI), the empty string too.
    ("XAPI-00007 mbox without mailto", {"actor.mbox": "xapi@adlnet.gov"}, "actor.mbox"),
    ("XAPI-00007 mbox empty", {"actor.mbox": ""}, "actor.mbox"),
    ("XAPI-00007 mbox no address", {"actor.mbox": "mailto:"}, "actor.mbox"),
    ("XAPI-00007 verb id empty", {"verb.id": ""}, "verb.id"),
    ("XAPI-00007 activity id empty", {"object.id": ""}, "object.id"),
    (
        "XAPI-00007 account name object",
        {"actor": {"account": {"homePage": "http://www.example.com", "name": {"key": "x"}}}},
        "actor.account.name",
    ),
    (
        "XAPI-00007 group account name object",
        {
            "actor": {
                "objectType": "Group",
                "account": {"homePage": "http://www.example.com", "name": {"key": "x"}},
            }
        },
        "actor.account.name",
    ),
    (
        "XAPI-00007 instructor account name object",
        {"context": {"instructor": {"account": {"homePage": "http://x.org", "name": 1}}}},
        "context.instructor.account.name",
    ),
    # Data §2.2 XAPI-00008/10: property names are case-sensitive; no unknown property.
    ("XAPI-00008 Actor", {"actor": DELETE, "Actor": AGENT}, "Actor"),
    ("XAPI-00008 veRb", {"verb": DELETE, "veRb": VERB}, "veRb"),
    ("XAPI-00008 oBject", {"object": DELETE, "oBject": ACTIVITY}, "oBject"),
    ("XAPI-00008 RESULT", {"RESULT": {"success": True}}, "RESULT"),
    ("XAPI-00008 conText", {"conText": {"platform": "x"}}, "conText"),
    ("XAPI-00008 timeStamp", {"timeStamp": "2015-01-01T00:00:00Z"}, "timeStamp"),
    ("XAPI-00008 attachmentS", {"attachmentS": [ATTACHMENT]}, "attachmentS"),
    ("XAPI-00008 MBOX", {"actor": {"MBOX": "mailto:a@b.org"}}, "actor.MBOX"),
    ("XAPI-00008 verb ID", {"verb": {"ID": VERB["id"]}}, "verb.ID"),
    (
        "XAPI-00008 definition Name",
        {"object.definition": {"Name": {"en": "x"}}},
        "object.definition.Name",
    ),
    ("XAPI-00010 statement extra", {"extra": 1}, "extra"),
    ("XAPI-00010 actor extra", {"actor.extra": 1}, "actor.extra"),
    (
        "XAPI-00010 account extra",
        {"actor": {"account": {"homePage": "http://x.org", "name": "n", "extra": 1}}},
        "actor.account.extra",
    ),
    ("XAPI-00010 verb extra", {"verb.extra": 1}, "verb.extra"),
    ("XAPI-00010 activity extra", {"object.extra": 1}, "object.extra"),
    ("XAPI-00010 definition extra", {"object.definition": {"extra": 1}}, "object.definition.extra"),
    ("XAPI-00010 result extra", {"result": {"extra": 1}}, "result.extra"),
    ("XAPI-00010 score extra", {"result": {"score": {"extra": 1}}}, "result.score.extra"),
    ("XAPI-00010 context extra", {"context": {"extra": 1}}, "context.extra"),
    ("XAPI-00010 statementref extra", {"object": {**STATEMENT_REF, "extra": 1}}, "object.extra"),
    (
        "XAPI-00010 agent member extra",
        {"actor": {"objectType": "Group", "member": [{**AGENT_B, "extra": 1}]}},
        "actor.member[0].extra",
    ),
    # Data §2.2 XAPI-00009: enumerated values are case-sensitive.
    ("XAPI-00009 objectType agent", {"actor.objectType": "agent"}, "actor.objectType"),
    (
        "XAPI-00009 objectType group",
        {"actor": {"objectType": "group", "member": [AGENT]}},
        "actor.objectType",
    ),
    ("XAPI-00009 objectType activity", {"object.objectType": "activity"}, "object.objectType"),
    (
        "XAPI-00009 objectType statementref",
        {"object": {"objectType": "statementRef", "id": UUID}},
        "object.objectType",
    ),
    # Data §4.2 XAPI-00013 / XAPI-00121: language maps with RFC 5646 tags.
    (
        "XAPI-00013 display bad tag",
        {"verb.display": {"something": "besucht"}},
        "verb.display.something",
    ),
    ("XAPI-00121 display a12345", {"verb.display": {"a12345": "x"}}, "verb.display.a12345"),
    (
        "XAPI-00013 name bad tag",
        {"object.definition": {"name": {"en-": "x"}}},
        "object.definition.name.en-",
    ),
    (
        "XAPI-00013 name repeated singleton",
        {"object.definition": {"name": {"zh-z-aaa-z-bbb-c-ccc": "x"}}},
        "object.definition.name.zh-z-aaa-z-bbb-c-ccc",
    ),
    (
        "XAPI-00013 description bad tag",
        {"object.definition": {"description": {"e": "x"}}},
        "object.definition.description.e",
    ),
    ("XAPI-00013 context language", {"context": {"language": "something"}}, "context.language"),
    ("XAPI-00013 context language number", {"context": {"language": 5}}, "context.language"),
    ("Data 4.2 display not a map", {"verb.display": "attended"}, "verb.display"),
    ("Data 4.2 display empty", {"verb.display": {}}, "verb.display"),
    ("Data 4.2 name empty", {"object.definition": {"name": {}}}, "object.definition.name"),
    (
        "Data 4.2 description string",
        {"object.definition": {"description": "x"}},
        "object.definition.description",
    ),
    ("Data 4.2 name numeric", {"object.definition": {"name": 12345}}, "object.definition.name"),
    # Data §2.4.2 actor: exactly one IFI (XAPI-00032, -00038), Agents and Groups.
    ("XAPI-00038 agent without IFI", {"actor": {"objectType": "Agent", "name": "x"}}, "actor"),
    (
        "XAPI-00038 agent two IFIs",
        {"actor": {"mbox": "mailto:a@b.org", "openid": "http://openid.example.org/1"}},
        "actor",
    ),
    ("XAPI-00038 empty agent", {"actor": {}}, "actor"),
    (
        "XAPI-00037 group two IFIs",
        {
            "actor": {
                "objectType": "Group",
                "mbox": "mailto:a@b.org",
                "mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975",
            }
        },
        "actor",
    ),
    (
        "XAPI-00035 anonymous group without member",
        {"actor": {"objectType": "Group"}},
        "actor.member",
    ),
    (
        "XAPI-00035 anonymous group empty member",
        {"actor": {"objectType": "Group", "member": []}},
        "actor.member",
    ),
    (
        "XAPI-00036 member not an array",
        {"actor": {"objectType": "Group", "member": AGENT}},
        "actor.member",
    ),
    (
        "XAPI-00036 member is a group",
        {"actor": {"objectType": "Group", "member": [GROUP_MBOX]}},
        "actor.member[0].objectType",
    ),
    (
        "XAPI-00036 member without IFI",
        {"actor": {"objectType": "Group", "member": [AGENT, {"name": "x"}]}},
        "actor.member[1]",
    ),
    (
        "XAPI-00036 member string",
        {"actor": {"objectType": "Group", "member": ["mailto:a@b.org"]}},
        "actor.member[0]",
    ),
    (
        "XAPI-00039 mbox_sha1sum not hex",
        {"actor": {"mbox_sha1sum": "zd9b00a5611f94eaa7b1661edab976068e364975"}},
        "actor.mbox_sha1sum",
    ),
    (
        "XAPI-00039 mbox_sha1sum too short",
        {"actor": {"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e36497"}},
        "actor.mbox_sha1sum",
    ),
    ("XAPI-00040 openid not IRI", {"actor": {"openid": "should fail"}}, "actor.openid"),
    ("XAPI-00041 account not object", {"actor": {"account": "x"}}, "actor.account"),
    (
        "XAPI-00042 account homePage missing",
        {"actor": {"account": {"name": "n"}}},
        "actor.account.homePage",
    ),
    (
        "XAPI-00042 account homePage not IRL",
        {"actor": {"account": {"homePage": "www.example.com", "name": "n"}}},
        "actor.account.homePage",
    ),
    (
        "XAPI-00043 account name missing",
        {"actor": {"account": {"homePage": "http://x.org"}}},
        "actor.account.name",
    ),
    (
        "XAPI-00043 account name number",
        {"actor": {"account": {"homePage": "http://x.org", "name": 7}}},
        "actor.account.name",
    ),
    ("Data 2.4.2 actor objectType unknown", {"actor.objectType": "Person"}, "actor.objectType"),
    ("Data 2.4.2 actor objectType numeric", {"actor.objectType": 123}, "actor.objectType"),
    (
        "Data 2.4.2 actor objectType object",
        {"actor.objectType": {"key": "value"}},
        "actor.objectType",
    ),
    ("Data 2.4.2 actor name object", {"actor.name": {"key": "value"}}, "actor.name"),
    ("XAPI-00039 mbox without @", {"actor.mbox": "mailto:should.fail.com"}, "actor.mbox"),
    ("XAPI-00039 mbox http IRI", {"actor.mbox": "http://should.fail.com"}, "actor.mbox"),
    ("XAPI-00039 mbox number", {"actor.mbox": 12345}, "actor.mbox"),
    (
        "XAPI-00042 account homePage bad scheme",
        {"actor": {"account": {"homePage": "ab=c://should.fail.com", "name": "n"}}},
        "actor.account.homePage",
    ),
    (
        "XAPI-00083 scaled NaN-like huge",
        {"result": {"score": {"scaled": 10**400}}},
        "result.score.scaled",
    ),
    (
        "XAPI-00006 score raw infinity",
        {"result": {"score": {"raw": float("inf")}}},
        "result.score.raw",
    ),
    ("Data 2.4.2 actor is an activity", {"actor": ACTIVITY}, "actor.objectType"),
    # Data §2.4.3 verb (XAPI-00044, -00045).
    ("XAPI-00044 verb id missing", {"verb": {"display": {"en-US": "x"}}}, "verb.id"),
    ("XAPI-00044 verb id not IRI", {"verb.id": "should fail"}, "verb.id"),
    ("XAPI-00044 verb id relative", {"verb.id": "/verbs/attended"}, "verb.id"),
    ("XAPI-00044 verb id with space", {"verb.id": "http://example.com/a verb"}, "verb.id"),
    ("XAPI-00045 verb display empty object", {"verb.display": {}}, "verb.display"),
    # Data §2.4.4 object (XAPI-00046 .. -00065).
    ("XAPI-00046 object objectType unknown", {"object.objectType": "Thing"}, "object.objectType"),
    ("XAPI-00046 object objectType number", {"object.objectType": 1}, "object.objectType"),
    ("XAPI-00047 activity id missing", {"object": {"objectType": "Activity"}}, "object.id"),
    ("XAPI-00047 activity id not IRI", {"object.id": "ab=c://should.fail.com"}, "object.id"),
    ("XAPI-00047 activity id number", {"object.id": 12345}, "object.id"),
    ("XAPI-00048 definition string", {"object.definition": "should error"}, "object.definition"),
    ("XAPI-00048 definition list", {"object.definition": []}, "object.definition"),
    (
        "XAPI-00060 type not IRI",
        {"object.definition": {"type": "should error"}},
        "object.definition.type",
    ),
    (
        "XAPI-00061 moreInfo not IRL",
        {"object.definition": {"moreInfo": "should error"}},
        "object.definition.moreInfo",
    ),
    (
        "XAPI-00057 definition extensions string",
        {"object.definition": {"extensions": "should error"}},
        "object.definition.extensions",
    ),
    (
        "XAPI-00118 extension key not IRI",
        {"object.definition": {"extensions": {"should fail": True}}},
        "object.definition.extensions.should fail",
    ),
    (
        "XAPI-00118 extension key not IRI (component-like)",
        {"object.definition": {"extensions": {"id": "valid", "description": {"en-US": "x"}}}},
        "object.definition.extensions.id",
    ),
    (
        "XAPI-00065 agent object without objectType",
        {"object": {"mbox": "mailto:a@b.org"}},
        "object.objectType",
    ),
    (
        "XAPI-00065 group object without objectType",
        {"object": {"member": [AGENT]}},
        "object.objectType",
    ),
    ("XAPI-00065 agent object invalid", {"object": {"objectType": "Agent", "name": "n"}}, "object"),
    ("XAPI-00065 group object no member", {"object": {"objectType": "Group"}}, "object.member"),
    ("XAPI-00072 statementref id missing", {"object": {"objectType": "StatementRef"}}, "object.id"),
    (
        "XAPI-00073 statementref id not UUID",
        {"object": {"objectType": "StatementRef", "id": "AA97B177-9383-4934-8543-0F91A7A028368"}},
        "object.id",
    ),
    (
        "XAPI-00073 statementref id letter",
        {"object": {"objectType": "StatementRef", "id": "MA97B177-9383-4934-8543-0F91A7A02836"}},
        "object.id",
    ),
    (
        "XAPI-00073 statementref id number",
        {"object": {"objectType": "StatementRef", "id": 12345}},
        "object.id",
    ),
    (
        "XAPI-00073 statementref id object",
        {"object": {"objectType": "StatementRef", "id": {"key": "x"}}},
        "object.id",
    ),
    (
        "XAPI-00072 statementref without objectType is an activity",
        {"object": {"id": UUID}},
        "object.id",
    ),
    # Data §2.4.5 result (XAPI-00074 .. -00083).
    ("XAPI-00074 success 'true'", {"result": {"success": "true"}}, "result.success"),
    ("XAPI-00075 completion 'true'", {"result": {"completion": "true"}}, "result.completion"),
    ("XAPI-00076 response number", {"result": {"response": 12345}}, "result.response"),
    ("XAPI-00076 response object", {"result": {"response": {"key": "x"}}}, "result.response"),
    ("XAPI-00077 duration PA1H0M0S", {"result": {"duration": "PA1H0M0S"}}, "result.duration"),
    ("XAPI-00077 duration string", {"result": {"duration": "should fail"}}, "result.duration"),
    ("XAPI-00077 duration number", {"result": {"duration": 12345}}, "result.duration"),
    ("XAPI-00077 duration object", {"result": {"duration": {"key": "x"}}}, "result.duration"),
    ("XAPI-00124 duration P4W1D", {"result": {"duration": "P4W1D"}}, "result.duration"),
    ("XAPI-00124 duration P", {"result": {"duration": "P"}}, "result.duration"),
    ("XAPI-00124 duration PT", {"result": {"duration": "PT"}}, "result.duration"),
    (
        "XAPI-00124 duration time-point form",
        {"result": {"duration": "P0000-00-01T00:00:00"}},
        "result.duration",
    ),
    ("XAPI-00124 duration 1H without P", {"result": {"duration": "T1H"}}, "result.duration"),
    ("XAPI-00124 duration lower case", {"result": {"duration": "pt1h"}}, "result.duration"),
    ("XAPI-00078 result extensions number", {"result": {"extensions": 12345}}, "result.extensions"),
    (
        "XAPI-00078 result extensions key",
        {"result": {"extensions": {"key": 1}}},
        "result.extensions.key",
    ),
    ("XAPI-00079 score number", {"result": {"score": 12345}}, "result.score"),
    ("XAPI-00079 score string", {"result": {"score": "should fail"}}, "result.score"),
    ("XAPI-00083 scaled 1.01", {"result": {"score": {"scaled": 1.01}}}, "result.score.scaled"),
    (
        "XAPI-00083 scaled -1.00001",
        {"result": {"score": {"scaled": -1.00001}}},
        "result.score.scaled",
    ),
    ("XAPI-00083 scaled string", {"result": {"score": {"scaled": "0.5"}}}, "result.score.scaled"),
    (
        "XAPI-00082 raw above max",
        {"result": {"score": {"raw": 0.6767676, "max": 0.6567676}}},
        "result.score.raw",
    ),
    (
        "XAPI-00082 raw below min",
        {"result": {"score": {"raw": 0.6767676, "min": 1.4067676}}},
        "result.score.raw",
    ),
    (
        "XAPI-00081 min above max",
        {"result": {"score": {"min": 0.6767676, "max": 0.6767355, "raw": 0.6767643}}},
        "result.score.max",
    ),
    (
        "XAPI-00080 max below min",
        {"result": {"score": {"max": 100.6767676, "min": 104.6767676, "raw": 101.6767676}}},
        "result.score.max",
    ),
    (
        "XAPI-00081 min equal to max",
        {"result": {"score": {"min": 5, "max": 5}}},
        "result.score.max",
    ),
    ("XAPI-00081 min string", {"result": {"score": {"min": "0"}}}, "result.score.min"),
    ("Data 2.4.5 result not an object", {"result": "passed"}, "result"),
    # Data §2.4.6 context (XAPI-00084 .. -00094).
    (
        "XAPI-00087-1 registration object",
        {"context": {"registration": {"key": "x"}}},
        "context.registration",
    ),
    (
        "XAPI-00087-1 registration string",
        {"context": {"registration": "should fail"}},
        "context.registration",
    ),
    (
        "XAPI-00087-1 registration too many digits",
        {"context": {"registration": "AA97B177-9383-4934-8543-0F91A7A028368"}},
        "context.registration",
    ),
    (
        "XAPI-00087-1 registration number",
        {"context": {"registration": 12345}},
        "context.registration",
    ),
    (
        "XAPI-00087-2 instructor object",
        {"context": {"instructor": {"key": "x"}}},
        "context.instructor.key",
    ),
    (
        "XAPI-00087-2 instructor string",
        {"context": {"instructor": "should fail"}},
        "context.instructor",
    ),
    (
        "XAPI-00087-2 instructor anonymous group without member",
        {"context": {"instructor": {"objectType": "Group"}}},
        "context.instructor.member",
    ),
    ("XAPI-00088 team is an agent", {"context": {"team": AGENT}}, "context.team"),
    ("XAPI-00088 team object", {"context": {"team": {"key": "x"}}}, "context.team"),
    ("XAPI-00088 team string", {"context": {"team": "should fail"}}, "context.team"),
    (
        "XAPI-00088 team member array",
        {"context": {"team": {"objectType": "Group", "member": AGENT}}},
        "context.team.member",
    ),
    (
        "XAPI-00086 contextActivities string",
        {"context": {"contextActivities": "should fail"}},
        "context.contextActivities",
    ),
    (
        "XAPI-00093 contextActivities key",
        {"context": {"contextActivities": {"parents": [ACTIVITY]}}},
        "context.contextActivities.parents",
    ),
    (
        "XAPI-00093 contextActivities key case",
        {"context": {"contextActivities": {"Parent": [ACTIVITY]}}},
        "context.contextActivities.Parent",
    ),
    (
        "XAPI-00094 contextActivities invalid in array",
        {"context": {"contextActivities": {"other": [ACTIVITY, {"key": "should fail"}]}}},
        "context.contextActivities.other[1].key",
    ),
    (
        "XAPI-00094 contextActivities activity without id",
        {"context": {"contextActivities": {"parent": {"objectType": "Activity"}}}},
        "context.contextActivities.parent.id",
    ),
    (
        "XAPI-00094 contextActivities agent",
        {"context": {"contextActivities": {"grouping": [AGENT]}}},
        "context.contextActivities.grouping[0].objectType",
    ),
    (
        "XAPI-00094 contextActivities string",
        {"context": {"contextActivities": {"category": ["http://example.com"]}}},
        "context.contextActivities.category[0]",
    ),
    (
        "XAPI-00094 contextActivities null",
        {"context": {"contextActivities": {"other": None}}},
        "context.contextActivities.other",
    ),
    ("XAPI-00089 revision number", {"context": {"revision": 12345}}, "context.revision"),
    ("XAPI-00089 revision object", {"context": {"revision": {"key": "x"}}}, "context.revision"),
    ("XAPI-00091 platform number", {"context": {"platform": 12345}}, "context.platform"),
    (
        "XAPI-00084 revision with agent object",
        {"object": {"objectType": "Agent", "mbox": "mailto:a@b.org"}, "context": {"revision": "1"}},
        "context.revision",
    ),
    (
        "XAPI-00084 revision with group object",
        {"object": GROUP_MBOX, "context": {"revision": "1"}},
        "context.revision",
    ),
    (
        "XAPI-00084 revision with statementref",
        {"object": STATEMENT_REF, "context": {"revision": "1"}},
        "context.revision",
    ),
    (
        "XAPI-00085 platform with agent object",
        {"object": {"objectType": "Agent", "mbox": "mailto:a@b.org"}, "context": {"platform": "x"}},
        "context.platform",
    ),
    (
        "XAPI-00085 platform with statementref",
        {"object": STATEMENT_REF, "context": {"platform": "x"}},
        "context.platform",
    ),
    (
        "XAPI-00092 context statement not statementref",
        {"context": {"statement": {"id": UUID}}},
        "context.statement.objectType",
    ),
    (
        "XAPI-00092 context statement bad UUID",
        {
            "context": {
                "statement": {
                    "objectType": "StatementRef",
                    "id": "MA97B177-9383-4934-8543-0F91A7A02836",
                }
            }
        },
        "context.statement.id",
    ),
    (
        "XAPI-00092 context statement number id",
        {"context": {"statement": {"objectType": "StatementRef", "id": 12345}}},
        "context.statement.id",
    ),
    (
        "XAPI-00090 context extensions string",
        {"context": {"extensions": "x"}},
        "context.extensions",
    ),
    ("Data 2.4.6 context not an object", {"context": "x"}, "context"),
    # Data §2.4.7 / §4.5 timestamp (XAPI-00022, XAPI-00123).
    ("XAPI-00022 timestamp string", {"timestamp": "should fail"}, "timestamp"),
    ("XAPI-00022 timestamp date", {"timestamp": "01/011/2015"}, "timestamp"),
    ("XAPI-00022 timestamp number", {"timestamp": 1420070400}, "timestamp"),
    ("XAPI-00123 timestamp -00", {"timestamp": "2008-09-15T15:53:00.601-00"}, "timestamp"),
    ("XAPI-00123 timestamp -0000", {"timestamp": "2008-09-15T15:53:00.601-0000"}, "timestamp"),
    ("XAPI-00123 timestamp -00:00", {"timestamp": "2008-09-15T15:53:00.601-00:00"}, "timestamp"),
    ("XAPI-00123 timestamp date only", {"timestamp": "2008-09-15"}, "timestamp"),
    ("XAPI-00123 timestamp month 13", {"timestamp": "2008-13-15T15:53:00Z"}, "timestamp"),
    ("XAPI-00123 timestamp Feb 30", {"timestamp": "2008-02-30T15:53:00Z"}, "timestamp"),
    ("XAPI-00123 timestamp hour 25", {"timestamp": "2008-09-15T25:53:00Z"}, "timestamp"),
    ("XAPI-00123 timestamp offset 25h", {"timestamp": "2008-09-15T15:53:00+25:00"}, "timestamp"),
    ("XAPI-00123 timestamp trailing text", {"timestamp": "2008-09-15T15:53:00Z junk"}, "timestamp"),
    # Data §2.4.11 attachments (XAPI-00025, -00102 .. -00107).
    ("XAPI-00025 attachments not an array", {"attachments": ATTACHMENT}, "attachments"),
    ("Data 2.4.11 attachment number", {"attachments": [12345]}, "attachments[0]"),
    ("Data 2.4.11 attachment string", {"attachments": ["should fail"]}, "attachments[0]"),
    (
        "XAPI-00107 usageType not IRI",
        {"attachments": [{**ATTACHMENT, "usageType": "x y"}]},
        "attachments[0].usageType",
    ),
    (
        "XAPI-00107 usageType missing",
        {"attachments": [{k: v for k, v in ATTACHMENT.items() if k != "usageType"}]},
        "attachments[0].usageType",
    ),
    (
        "XAPI-00106 display number",
        {"attachments": [{**ATTACHMENT, "display": 12345}]},
        "attachments[0].display",
    ),
    (
        "XAPI-00106 display string",
        {"attachments": [{**ATTACHMENT, "display": "x"}]},
        "attachments[0].display",
    ),
    (
        "XAPI-00106 display empty",
        {"attachments": [{**ATTACHMENT, "display": {}}]},
        "attachments[0].display",
    ),
    (
        "XAPI-00106 display bad tag",
        {"attachments": [{**ATTACHMENT, "display": {"en-US": "x", "something": "y"}}]},
        "attachments[0].display.something",
    ),
    (
        "XAPI-00106 display missing",
        {"attachments": [{k: v for k, v in ATTACHMENT.items() if k != "display"}]},
        "attachments[0].display",
    ),
    (
        "Data 2.4.11 description string",
        {"attachments": [{**ATTACHMENT, "description": "x"}]},
        "attachments[0].description",
    ),
    (
        "Data 2.4.11 description empty",
        {"attachments": [{**ATTACHMENT, "description": {}}]},
        "attachments[0].description",
    ),
    (
        "Data 2.4.11 description bad tag",
        {"attachments": [{**ATTACHMENT, "description": {"something": "y"}}]},
        "attachments[0].description.something",
    ),
    (
        "XAPI-00105 contentType number",
        {"attachments": [{**ATTACHMENT, "contentType": 999}]},
        "attachments[0].contentType",
    ),
    (
        "XAPI-00105 contentType not a media type",
        {"attachments": [{**ATTACHMENT, "contentType": "text"}]},
        "attachments[0].contentType",
    ),
    (
        "XAPI-00105 contentType missing",
        {"attachments": [{k: v for k, v in ATTACHMENT.items() if k != "contentType"}]},
        "attachments[0].contentType",
    ),
    (
        "XAPI-00102 length string",
        {"attachments": [{**ATTACHMENT, "length": "should fail"}]},
        "attachments[0].length",
    ),
    (
        "XAPI-00102 length decimal",
        {"attachments": [{**ATTACHMENT, "length": 27.5}]},
        "attachments[0].length",
    ),
    (
        "XAPI-00102 length negative",
        {"attachments": [{**ATTACHMENT, "length": -1}]},
        "attachments[0].length",
    ),
    (
        "XAPI-00102 length boolean",
        {"attachments": [{**ATTACHMENT, "length": True}]},
        "attachments[0].length",
    ),
    (
        "XAPI-00102 length missing",
        {"attachments": [{k: v for k, v in ATTACHMENT.items() if k != "length"}]},
        "attachments[0].length",
    ),
    (
        "XAPI-00103 sha2 number",
        {"attachments": [{**ATTACHMENT, "sha2": 12345}]},
        "attachments[0].sha2",
    ),
    (
        "XAPI-00103 sha2 not a hash",
        {"attachments": [{**ATTACHMENT, "sha2": "abc"}]},
        "attachments[0].sha2",
    ),
    (
        "XAPI-00103 sha2 missing",
        {"attachments": [{k: v for k, v in ATTACHMENT.items() if k != "sha2"}]},
        "attachments[0].sha2",
    ),
    (
        "XAPI-00104 fileUrl not IRL",
        {"attachments": [{**ATTACHMENT, "fileUrl": "should fail"}]},
        "attachments[0].fileUrl",
    ),
    (
        "Data 2.4.11 attachment extra",
        {"attachments": [ATTACHMENT, {**ATTACHMENT, "x": 1}]},
        "attachments[1].x",
    ),
]


@pytest.mark.parametrize(("version", "place", "changes", "field"), _place_params(INVALID_CASES))
def test_invalid(version: str, place: str, changes: dict[str, Any], field: str) -> None:
    """Each invalid case is rejected naming the exact field (statement and SubStatement)."""
    prefix, base = PLACES[place]
    data = build(changes, base=base, prefix=prefix)
    expect_invalid(data, version, "statement." + prefix + field)


# --------------------------------------------------------------------------------------------
# Interaction activities (Data §2.4.4.1, XAPI-00049 .. -00055, -00062 .. -00064)
# --------------------------------------------------------------------------------------------

INTERACTIONS: dict[str, dict[str, Any]] = {
    "true-false": {"correctResponsesPattern": ["true"]},
    "choice": {
        "correctResponsesPattern": ["golf[,]tetris"],
        "choices": [
            {"id": "golf", "description": {"en-US": "Golf Example"}},
            {"id": "tetris", "description": {"en-US": "Tetris Example"}},
        ],
    },
    "fill-in": {"correctResponsesPattern": ["Bob's your uncle"]},
    "long-fill-in": {"correctResponsesPattern": ["{case_matters=false}{lang=en}To store"]},
    "matching": {
        "correctResponsesPattern": ["ben[.]3[,]chris[.]2"],
        "source": [{"id": "ben", "description": {"en-US": "Ben"}}],
        "target": [{"id": "3", "description": {"en-US": "Swimming"}}],
    },
    "performance": {
        "correctResponsesPattern": ["pong[.]1:[,]dg[.]:10"],
        "steps": [{"id": "pong", "description": {"en-US": "Net pong"}}],
    },
    "sequencing": {
        "correctResponsesPattern": ["tim[,]mike"],
        "choices": [{"id": "tim", "description": {"en-US": "Tim"}}, {"id": "mike"}],
    },
    "likert": {
        "correctResponsesPattern": ["likert_3"],
        "scale": [
            {"id": "likert_0", "description": {"sr-Latn-RS": "Ne"}},
            {"id": "likert_3", "description": {"ja": "はい"}},
        ],
    },
    "numeric": {"correctResponsesPattern": ["4[:]"]},
    "other": {"correctResponsesPattern": ["(35.937432,-86.868896)"]},
}


def _interaction(kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": f"http://www.example.com/interactions/{kind}",
        "definition": {
            "name": {"en-US": kind},
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "interactionType": kind,
            **INTERACTIONS[kind],
            **extra,
        },
    }


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("kind", INTERACTIONS)
def test_interaction_types_are_accepted(version: str, place: str, kind: str) -> None:
    """Data §2.4.4.1 XAPI-00049: each interactionType with its components."""
    prefix, base = PLACES[place]
    validate_statement(
        build({"object": _interaction(kind)}, base=base, prefix=prefix), version=version
    )


WRONG_CASE = {
    "true-false": "true-faLse",
    "choice": "choiCe",
    "fill-in": "fill-iN",
    "long-fill-in": "long-fiLl-in",
    "matching": "matchIng",
    "performance": "perfOrmance",
    "sequencing": "seqUencing",
    "likert": "liKert",
    "numeric": "nUmeric",
    "other": "Other",
}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("kind", INTERACTIONS)
def test_interaction_type_wrong_case(version: str, place: str, kind: str) -> None:
    """Data §2.2 XAPI-00009: interactionType is an enumeration matched exactly."""
    prefix, base = PLACES[place]
    data = build(
        {"object": _interaction(kind, interactionType=WRONG_CASE[kind])}, base=base, prefix=prefix
    )
    expect_invalid(data, version, f"statement.{prefix}object.definition.interactionType")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "value", ["http://adlnet.gov/expapi/activities/cmi.interaction", 12345, {"k": "v"}, "x"]
)
def test_interaction_type_invalid_value(version: str, value: Any) -> None:
    """Data §2.4.4.1 XAPI-00049: interactionType must be one of the ten strings."""
    data = build({"object": _interaction("other", interactionType=value)})
    expect_invalid(data, version, "statement.object.definition.interactionType")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("kind", INTERACTIONS)
def test_components_need_interaction_type(version: str, kind: str) -> None:
    """Data §2.4.4.1 XAPI-00064: correctResponsesPattern and interaction components are only
    allowed with an interactionType."""
    activity = _interaction(kind)
    del activity["definition"]["interactionType"]
    with pytest.raises(StatementInvalid) as caught:
        validate_statement(build({"object": activity}), version=version)
    assert caught.value.field.startswith("statement.object.definition.")
    assert caught.value.field.rsplit(".", 1)[1] in (
        "correctResponsesPattern",
        "choices",
        "scale",
        "source",
        "target",
        "steps",
    )


COMPONENT_MISMATCH = [
    ("choice", "scale"),
    ("choice", "steps"),
    ("likert", "choices"),
    ("matching", "choices"),
    ("performance", "source"),
    ("sequencing", "target"),
    ("true-false", "choices"),
    ("fill-in", "scale"),
    ("numeric", "steps"),
    ("other", "source"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("kind", "component"), COMPONENT_MISMATCH)
def test_component_not_allowed_for_interaction_type(
    version: str, kind: str, component: str
) -> None:
    """Data §2.4.4.1 (interaction components table, XAPI-00050..-00055): a component list is
    only allowed with the interaction types that define it."""
    data = build({"object": _interaction(kind, **{component: [{"id": "a"}]})})
    expect_invalid(data, version, f"statement.object.definition.{component}")


COMPONENT_INVALID = [
    ("XAPI-00050 list not array", {"choices": {"id": "a"}}, "choices"),
    (
        "XAPI-00062 component id missing",
        {"choices": [{"description": {"en": "x"}}]},
        "choices[0].id",
    ),
    ("XAPI-00062 component id number", {"choices": [{"id": 1}]}, "choices[0].id"),
    ("XAPI-00063 component ids distinct", {"choices": [{"id": "a"}, {"id": "a"}]}, "choices[1].id"),
    (
        "XAPI-00062 component description bad tag",
        {"choices": [{"id": "a", "description": {"en US": "x"}}]},
        "choices[0].description.en US",
    ),
    (
        "XAPI-00062 component description string",
        {"choices": [{"id": "a", "description": "x"}]},
        "choices[0].description",
    ),
    (
        "XAPI-00062 component extra",
        {"choices": [{"id": "a", "name": {"en": "x"}}]},
        "choices[0].name",
    ),
    ("XAPI-00062 component not object", {"choices": ["a"]}, "choices[0]"),
    (
        "XAPI-00062 component null description",
        {"choices": [{"id": "a", "description": None}]},
        "choices[0].description",
    ),
    (
        "Data 2.4.4.1 correctResponsesPattern string",
        {"correctResponsesPattern": "a"},
        "correctResponsesPattern",
    ),
    (
        "Data 2.4.4.1 correctResponsesPattern number item",
        {"correctResponsesPattern": ["a", 1]},
        "correctResponsesPattern[1]",
    ),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("case", "extra", "field"), COMPONENT_INVALID, ids=[c[0] for c in COMPONENT_INVALID]
)
def test_component_invalid(version: str, case: str, extra: dict[str, Any], field: str) -> None:
    """Data §2.4.4.1 interaction components: id string, distinct ids, description langmap."""
    data = build({"object": _interaction("choice", **extra)})
    expect_invalid(data, version, f"statement.object.definition.{field}")


@pytest.mark.parametrize("version", VERSIONS)
def test_component_ids_may_repeat_across_lists(version: str) -> None:
    """Data §2.4.4.1: ids are distinct within one list; source and target may share one."""
    activity = _interaction("matching", source=[{"id": "a"}], target=[{"id": "a"}])
    validate_statement(build({"object": activity}), version=version)


@pytest.mark.parametrize("version", VERSIONS)
def test_empty_correct_responses_pattern_is_accepted(version: str) -> None:
    """Data §2.4.4.1: an empty correctResponsesPattern means no response is correct."""
    activity = _interaction("choice", correctResponsesPattern=[])
    validate_statement(build({"object": activity}), version=version)


# --------------------------------------------------------------------------------------------
# Valid cases on both the statement and a SubStatement, both versions.
# --------------------------------------------------------------------------------------------

VALID_CASES: list[tuple[str, dict[str, Any]]] = [
    ("Data 2.4 minimal statement", {}),
    ("Data 2.4.2 agent objectType omitted", {"actor": {"mbox": "mailto:a@b.org"}}),
    (
        "XAPI-00038 agent mbox_sha1sum",
        {"actor": {"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"}},
    ),
    (
        "XAPI-00038 agent mbox_sha1sum upper case",
        {"actor": {"mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"}},
    ),
    ("XAPI-00038 agent openid", {"actor": {"openid": "http://openid.example.org/12345"}}),
    (
        "XAPI-00038 agent account",
        {"actor": {"account": {"homePage": "http://www.example.com", "name": "xAPI account"}}},
    ),
    ("XAPI-00037 identified group mbox", {"actor": GROUP_MBOX}),
    (
        "XAPI-00037 identified group sha1",
        {
            "actor": {
                "objectType": "Group",
                "mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975",
            }
        },
    ),
    (
        "XAPI-00037 identified group openid",
        {"actor": {"objectType": "Group", "openid": "http://openid.example.org/12345"}},
    ),
    (
        "XAPI-00037 identified group account",
        {
            "actor": {
                "objectType": "Group",
                "account": {"homePage": "http://www.example.com", "name": "team"},
            }
        },
    ),
    ("XAPI-00037 identified group with members", {"actor": {**GROUP_MBOX, "member": [AGENT]}}),
    ("XAPI-00037 identified group with empty member list", {"actor": {**GROUP_MBOX, "member": []}}),
    ("XAPI-00035 anonymous group", {"actor": GROUP_ANON}),
    (
        "XAPI-00036 member agent objectType omitted",
        {"actor": {"objectType": "Group", "member": [AGENT_B]}},
    ),
    ("Data 2.4.3 verb without display", {"verb": {"id": "http://adlnet.gov/expapi/verbs/x"}}),
    (
        "Data 2.4.3 verb display several",
        {"verb.display": {"en-US": "attended", "zh-Hant-TW": "出席", "de": "besucht"}},
    ),
    ("Data 2.4.3 verb urn id", {"verb.id": "urn:x-example:verbs:attended"}),
    ("Data 2.4.4 activity objectType omitted", {"object": {"id": ACTIVITY_ID}}),
    (
        "Data 2.4.4.1 activity full definition",
        {
            "object.definition": {
                "name": {"de-DE": "Besprechung"},
                "description": {"zh-Hant": "會議"},
                "type": "http://adlnet.gov/expapi/activities/meeting",
                "moreInfo": "http://virtualmeeting.example.com/345256",
                "extensions": {"http://example.com/profiles/meetings/extension/location": "X:8"},
            }
        },
    ),
    ("Data 2.4.4.1 empty definition", {"object.definition": {}}),
    ("Data 2.4.4.1 IRI not normalised", {"object.id": "http://example.com/path/../x"}),
    ("Data 2.4.4.1 IRI with unicode", {"object.id": "http://例子.測試/活動/１"}),
    ("XAPI-00065 agent object", {"object": {"objectType": "Agent", "mbox": "mailto:a@b.org"}}),
    ("XAPI-00065 group object", {"object": GROUP_ANON}),
    ("XAPI-00065 identified group object", {"object": GROUP_MBOX}),
    ("XAPI-00072 statementref object", {"object": STATEMENT_REF}),
    (
        "XAPI-00073 statementref upper-case UUID",
        {"object": {"objectType": "StatementRef", "id": UUID.upper()}},
    ),
    (
        "XAPI-00120 extension values of any type",
        {
            "object.definition": {
                "extensions": {
                    "http://example.com/bool": True,
                    "http://example.com/num": 12345,
                    "http://example.com/obj": {"key": "valid"},
                    "http://example.com/str": "valid",
                    "http://example.com/list": [1, "a"],
                }
            }
        },
    ),
    (
        "XAPI-00119 extension values empty or null",
        {
            "object.definition": {
                "extensions": {
                    "http://example.com/null": None,
                    "http://example.com/empty": "",
                    "http://example.com/obj": {},
                }
            }
        },
    ),
    ("XAPI-00119 empty extensions", {"object.definition": {"extensions": {}}}),
    (
        "XAPI-00119 result extensions null value",
        {"result": {"extensions": {"http://example.com/null": None}}},
    ),
    ("XAPI-00119 context extensions empty", {"context": {"extensions": {}}}),
    (
        "Data 2.4.5 result full",
        {
            "result": {
                "score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100},
                "success": True,
                "completion": False,
                "response": "We agreed on some things.",
                "duration": "PT1H0M0S",
                "extensions": {
                    "http://example.com/profiles/meetings/minuteslocation": "X:\\minutes"
                },
            }
        },
    ),
    ("Data 2.4.5 empty result", {"result": {}}),
    ("XAPI-00083 scaled decimal", {"result": {"score": {"scaled": 0.6767676}}}),
    ("XAPI-00083 scaled 1.0", {"result": {"score": {"scaled": 1.0}}}),
    ("XAPI-00083 scaled -1", {"result": {"score": {"scaled": -1}}}),
    ("XAPI-00082 raw decimal unrestricted", {"result": {"score": {"raw": -1234.5}}}),
    (
        "XAPI-00082 raw equal to min and max bounds",
        {"result": {"score": {"raw": 0, "min": 0, "max": 10}}},
    ),
    ("XAPI-00082 raw equal to max", {"result": {"score": {"raw": 10, "min": 0, "max": 10}}}),
    ("XAPI-00081 min alone", {"result": {"score": {"min": 0.6767676}}}),
    ("XAPI-00080 max alone", {"result": {"score": {"max": 100.6767676}}}),
    ("XAPI-00124 duration PT1H0M0.1S", {"result": {"duration": "PT1H0M0.1S"}}),
    ("XAPI-00124 duration PT4H35M59.14S", {"result": {"duration": "PT4H35M59.14S"}}),
    ("XAPI-00124 duration PT16559.14S", {"result": {"duration": "PT16559.14S"}}),
    ("XAPI-00124 duration P3Y1M29DT4H35M59.14S", {"result": {"duration": "P3Y1M29DT4H35M59.14S"}}),
    ("XAPI-00124 duration P3Y", {"result": {"duration": "P3Y"}}),
    ("XAPI-00124 duration P4W", {"result": {"duration": "P4W"}}),
    ("XAPI-00124 duration PT0S", {"result": {"duration": "PT0S"}}),
    ("XAPI-00124 duration P1DT12H", {"result": {"duration": "P1DT12H"}}),
    (
        "Data 2.4.6 context full",
        {
            "context": {
                "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
                "instructor": {"name": "Andrew Downes", "mbox": "mailto:andrew@example.com"},
                "team": GROUP_ANON,
                "contextActivities": {
                    "parent": [ACTIVITY],
                    "grouping": [ACTIVITY],
                    "category": [ACTIVITY],
                    "other": [ACTIVITY],
                },
                "revision": "r1",
                "platform": "DTSS",
                "language": "zh-TW",
                "statement": STATEMENT_REF,
                "extensions": {"http://example.com/ext": "x"},
            }
        },
    ),
    ("Data 2.4.6 empty context", {"context": {}}),
    ("XAPI-00087-2 instructor group", {"context": {"instructor": GROUP_MBOX}}),
    ("XAPI-00088 team identified group", {"context": {"team": GROUP_MBOX}}),
    (
        "XAPI-00084 revision with activity without objectType",
        {"object": {"id": ACTIVITY_ID}, "context": {"revision": "1", "platform": "x"}},
    ),
    (
        "XAPI-00094 contextActivities single objects",
        {"context": {"contextActivities": {"parent": ACTIVITY, "other": {"id": ACTIVITY_ID}}}},
    ),
    (
        "XAPI-00094 contextActivities empty array",
        {"context": {"contextActivities": {"parent": []}}},
    ),
    (
        "XAPI-00094 contextActivities with definitions",
        {
            "context": {
                "contextActivities": {
                    "category": [
                        {
                            "id": "https://w3id.org/xapi/scorm",
                            "definition": {"type": "http://adlnet.gov/expapi/activities/profile"},
                        }
                    ]
                }
            }
        },
    ),
    ("XAPI-00013 context language cmn", {"context": {"language": "cmn"}}),
    ("XAPI-00013 context language fr-CA", {"context": {"language": "fr-CA"}}),
    ("XAPI-00022 timestamp future", {"timestamp": "2099-01-01T00:00:00.000Z"}),
    ("XAPI-00123 timestamp offset", {"timestamp": "2008-09-15T15:53:00.601+08:00"}),
    ("XAPI-00123 timestamp basic format", {"timestamp": "20080915T155300Z"}),
    ("XAPI-00123 timestamp space separator", {"timestamp": "2008-09-15 15:53:00.601+00:00"}),
    ("XAPI-00123 timestamp nanoseconds", {"timestamp": "2008-09-15T15:53:00.123456789Z"}),
    ("XAPI-00123 timestamp +00:00", {"timestamp": "2008-09-15T15:53:00+00:00"}),
    ("XAPI-00123 timestamp +0530", {"timestamp": "2008-09-15T15:53:00+0530"}),
    ("XAPI-00123 timestamp -05", {"timestamp": "2008-09-15T15:53:00-05"}),
    ("XAPI-00025 attachments", {"attachments": [ATTACHMENT]}),
    ("XAPI-00025 attachments empty array", {"attachments": []}),
    (
        "Data 2.4.11 attachment without description and fileUrl",
        {
            "attachments": [
                {k: v for k, v in ATTACHMENT.items() if k not in ("description", "fileUrl")}
            ]
        },
    ),
    (
        "XAPI-00106 attachment display es",
        {
            "attachments": [
                {**ATTACHMENT, "display": {"en-US": "A test attachment", "es": "Un accesorio"}}
            ]
        },
    ),
    (
        "XAPI-00106 attachment description es-MX",
        {"attachments": [{**ATTACHMENT, "description": {"es-MX": "Un accesorio (descripción)"}}]},
    ),
    (
        "XAPI-00105 contentType with parameters",
        {"attachments": [{**ATTACHMENT, "contentType": "application/octet-stream"}]},
    ),
    ("XAPI-00103 sha2 SHA-512", {"attachments": [{**ATTACHMENT, "sha2": "ab" * 64}]}),
    ("XAPI-00102 length zero", {"attachments": [{**ATTACHMENT, "length": 0}]}),
]


@pytest.mark.parametrize(("version", "place", "changes"), _place_params(VALID_CASES))
def test_valid(version: str, place: str, changes: dict[str, Any]) -> None:
    """Each valid case is accepted unchanged except for contextActivities (statement and
    SubStatement)."""
    prefix, base = PLACES[place]
    data = build(changes, base=base, prefix=prefix)
    original = copy.deepcopy(data)
    stored = validate_statement(data, version=version)
    assert data == original  # the input is not modified
    assert stored is not data
    if "context" not in json.dumps(changes):
        assert stored == data


# --------------------------------------------------------------------------------------------
# Statement-level properties (Data §2.4.1, §2.4.8–§2.4.10) and SubStatement rules (§2.4.4.3)
# --------------------------------------------------------------------------------------------

STATEMENT_ONLY_INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("XAPI-00027 id number", {"id": 12345}, "id"),
    ("XAPI-00027 id object", {"id": {"key": "x"}}, "id"),
    ("XAPI-00027 id too many digits", {"id": "AA97B177-9383-4934-8543-0F91A7A028368"}, "id"),
    ("XAPI-00027 id non-hex letter", {"id": "MA97B177-9383-4934-8543-0F91A7A02836"}, "id"),
    ("XAPI-00027 id without hyphens", {"id": "fd41c918b88b4b20a0a5a4c32391aaa0"}, "id"),
    ("XAPI-00027 id braces", {"id": "{fd41c918-b88b-4b20-a0a5-a4c32391aaa0}"}, "id"),
    ("XAPI-00027 id empty", {"id": ""}, "id"),
    ("XAPI-00008 iD", {"iD": UUID}, "iD"),
    ("XAPI-00008 STOred", {"STOred": "2013-05-18T05:32:34.804Z"}, "STOred"),
    ("XAPI-00008 auTHORity", {"auTHORity": AGENT}, "auTHORity"),
    ("XAPI-00008 Version", {"Version": "1.0.0"}, "Version"),
    ("Data 2.4.8 stored not a timestamp", {"stored": "yesterday"}, "stored"),
    ("XAPI-00024 authority string", {"authority": "should fail"}, "authority"),
    ("XAPI-00024 authority agent without IFI", {"authority": {"objectType": "Agent"}}, "authority"),
    (
        "XAPI-00024 authority identified group mbox",
        {"authority": {**GROUP_ANON, "mbox": "mailto:b@e.com"}},
        "authority",
    ),
    (
        "XAPI-00024 authority identified group sha1",
        {"authority": {**GROUP_ANON, "mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"}},
        "authority",
    ),
    (
        "XAPI-00024 authority identified group openid",
        {"authority": {**GROUP_ANON, "openid": "http://openid.example.org/12345"}},
        "authority",
    ),
    (
        "XAPI-00024 authority identified group account",
        {
            "authority": {
                **GROUP_ANON,
                "account": {"homePage": "http://www.example.com", "name": "n"},
            }
        },
        "authority",
    ),
    (
        "XAPI-00098 authority group one member",
        {"authority": {"objectType": "Group", "member": [AGENT_B]}},
        "authority.member",
    ),
    (
        "XAPI-00098 authority group three members",
        {
            "authority": {
                "objectType": "Group",
                "member": [
                    {
                        "account": {
                            "homePage": "http://example.com/xAPI/OAuth/Token",
                            "name": "oauth_consumer_x75db",
                        }
                    },
                    AGENT_B,
                    {"mbox": "mailto:james@example.com"},
                ],
            }
        },
        "authority.member",
    ),
    (
        "XAPI-00098 authority anonymous group no member",
        {"authority": {"objectType": "Group"}},
        "authority.member",
    ),
    (
        "XAPI-00036 authority member not array",
        {"authority": {"objectType": "Group", "member": AGENT}},
        "authority.member",
    ),
    (
        "XAPI-00071 substatement in a substatement",
        {
            "object.object": {
                "objectType": "SubStatement",
                "actor": AGENT,
                "verb": VERB,
                "object": ACTIVITY,
            }
        },
        "object.object.objectType",
    ),
    ("XAPI-00070 substatement id", {"object.id": UUID}, "object.id"),
    (
        "XAPI-00069 substatement stored",
        {"object.stored": "2013-05-18T05:32:34.804Z"},
        "object.stored",
    ),
    ("XAPI-00068 substatement version", {"object.version": "1.0.0"}, "object.version"),
    ("XAPI-00067 substatement authority", {"object.authority": AGENT}, "object.authority"),
    (
        "Data 2.4.4.3 substatement objectType wrong case",
        {"object.objectType": "substatement"},
        "object.objectType",
    ),
    ("XAPI-00066 substatement actor missing", {"object.actor": DELETE}, "object.actor"),
    ("XAPI-00066 substatement verb missing", {"object.verb": DELETE}, "object.verb"),
    ("XAPI-00066 substatement object missing", {"object.object": DELETE}, "object.object"),
    ("XAPI-00066 substatement extra", {"object.extra": 1}, "object.extra"),
    ("XAPI-00066 substatement null", {"object.result": None}, "object.result"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("case", "changes", "field"), STATEMENT_ONLY_INVALID, ids=[c[0] for c in STATEMENT_ONLY_INVALID]
)
def test_statement_level_invalid(
    version: str, case: str, changes: dict[str, Any], field: str
) -> None:
    """Statement-only properties and SubStatement restrictions, named by the exact field."""
    expect_invalid(build(changes, base=SUB_BASE), version, f"statement.{field}")


STATEMENT_ONLY_VALID: list[tuple[str, dict[str, Any]]] = [
    ("XAPI-00027 id", {"id": UUID}),
    ("XAPI-00027 id upper case", {"id": UUID.upper()}),
    ("Data 2.4.8 stored", {"stored": "2013-05-18T05:32:34.804Z"}),
    ("XAPI-00024 authority agent", {"authority": AGENT}),
    (
        "XAPI-00024 authority account agent",
        {
            "authority": {
                "objectType": "Agent",
                "account": {
                    "homePage": "http://example.com/xAPI/OAuth/Token",
                    "name": "oauth_consumer_x75db",
                },
            }
        },
    ),
    ("XAPI-00098 authority anonymous group of two", {"authority": GROUP_ANON}),
    (
        "XAPI-00066 substatement with context and result",
        {
            "object.context": {"registration": UUID, "contextActivities": {"parent": ACTIVITY}},
            "object.result": {"success": True},
            "object.timestamp": "2015-01-01T00:00:00Z",
        },
    ),
    ("XAPI-00066 substatement statementref object", {"object.object": STATEMENT_REF}),
    (
        "XAPI-00066 substatement agent object",
        {"object.object": {"objectType": "Agent", "mbox": "mailto:a@b.org"}},
    ),
    ("XAPI-00066 substatement group object", {"object.object": GROUP_ANON}),
    ("Data 2.4.4.3 substatement attachments", {"object.attachments": [ATTACHMENT]}),
    (
        "Data 2.3.2 voiding statement",
        {"verb": {"id": "http://adlnet.gov/expapi/verbs/voided"}, "object": STATEMENT_REF},
    ),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("case", "changes"), STATEMENT_ONLY_VALID, ids=[c[0] for c in STATEMENT_ONLY_VALID]
)
def test_statement_level_valid(version: str, case: str, changes: dict[str, Any]) -> None:
    """Statement-only properties and SubStatements that are accepted."""
    validate_statement(build(changes, base=SUB_BASE), version=version)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "obj",
    [ACTIVITY, {"objectType": "Agent", "mbox": "mailto:a@b.org"}, GROUP_ANON],
    ids=["activity", "agent", "group"],
)
def test_voiding_statement_needs_statementref(version: str, obj: dict[str, Any]) -> None:
    """Data §2.3.2: the object of a voiding statement MUST be a StatementRef."""
    data = build({"verb": {"id": "http://adlnet.gov/expapi/verbs/voided"}, "object": obj})
    expect_invalid(data, version, "statement.object.objectType")


def test_voided_verb_in_substatement_is_not_a_voiding_statement() -> None:
    """Data §2.3.2: only a statement voids; a SubStatement with the voided verb is just data."""
    data = build({"object.verb": {"id": "http://adlnet.gov/expapi/verbs/voided"}}, base=SUB_BASE)
    validate_statement(data, version="1.0.3")


@pytest.mark.parametrize("value", ["1.0", "1.0.0", "1.0.3", "1.0.9", "1.0.10"])
def test_version_1_0_3_accepts_1_0_x(value: str) -> None:
    """Data §2.4.10 XAPI-00101: "1.0" or "1.0.x" under 1.0.3."""
    validate_statement(build({"version": value}), version="1.0.3")


@pytest.mark.parametrize(
    "value", ["should fail", "0.9.9", "1.1.0", "2.0.0", "1", "1.0.x", "1.0.3 ", ""]
)
def test_version_1_0_3_rejects_others(value: str) -> None:
    """Data §2.4.10 XAPI-00101: anything else is rejected under 1.0.3."""
    expect_invalid(build({"version": value}), "1.0.3", "statement.version")


@pytest.mark.parametrize("value", ["2.0.0", "2.0.1", "2.0", "1.0.3", "1.0.0", "1.0"])
def test_version_2_0_0_accepts_1_0_x_and_2_0_x(value: str) -> None:
    """9274.1.1 §4.2.4.3 (XAPI-00332): a 2.0 LRS accepts 2.0.x and 1.0.x statements."""
    validate_statement(build({"version": value}), version="2.0.0")


@pytest.mark.parametrize("value", ["3.0.0", "2.1.0", "0.9.5", "should fail", 2.0])
def test_version_2_0_0_rejects_others(value: Any) -> None:
    """9274.1.1 §4.2.4.3: other versions (and non-strings) are rejected."""
    expect_invalid(build({"version": value}), "2.0.0", "statement.version")


# --------------------------------------------------------------------------------------------
# xAPI 2.0.0 (IEEE 9274.1.1) differences
# --------------------------------------------------------------------------------------------

CONTEXT_AGENT = {
    "objectType": "contextAgent",
    "agent": {"objectType": "Agent", "mbox": "mailto:player-1@example.com"},
    "relevantTypes": ["https://example.com/activity-types/player"],
}
CONTEXT_GROUP = {
    "objectType": "contextGroup",
    "group": {"objectType": "Group", "mbox": "mailto:team-1@example.com"},
    "relevantTypes": ["https://example.com/activity-types/team"],
}


@pytest.mark.parametrize("place", PLACES)
def test_context_agents_and_groups_valid_in_2_0_0(place: str) -> None:
    """9274.1.1 Context: contextAgents and contextGroups (relevantTypes optional)."""
    prefix, base = PLACES[place]
    context = {
        "contextAgents": [CONTEXT_AGENT, {"objectType": "contextAgent", "agent": AGENT_B}],
        "contextGroups": [CONTEXT_GROUP, {"objectType": "contextGroup", "group": GROUP_ANON}],
    }
    validate_statement(build({"context": context}, base=base, prefix=prefix), version="2.0.0")


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("key", ["contextAgents", "contextGroups"])
def test_context_agents_and_groups_unknown_in_1_0_3(place: str, key: str) -> None:
    """1.0.3 Data §2.4.6: contextAgents and contextGroups are not properties of 1.0.3."""
    prefix, base = PLACES[place]
    value = [CONTEXT_AGENT] if key == "contextAgents" else [CONTEXT_GROUP]
    data = build({"context": {key: value}}, base=base, prefix=prefix)
    expect_invalid(data, "1.0.3", f"statement.{prefix}context.{key}")


CONTEXT_2_0_INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("contextAgents not array", {"contextAgents": CONTEXT_AGENT}, "contextAgents"),
    (
        "contextAgent objectType",
        {"contextAgents": [{**CONTEXT_AGENT, "objectType": "Should fail"}]},
        "contextAgents[0].objectType",
    ),
    (
        "contextAgent objectType missing",
        {"contextAgents": [{k: v for k, v in CONTEXT_AGENT.items() if k != "objectType"}]},
        "contextAgents[0].objectType",
    ),
    (
        "contextAgent agent invalid",
        {"contextAgents": [{"objectType": "contextAgent", "agent": {"key": "Should fail"}}]},
        "contextAgents[0].agent.key",
    ),
    (
        "contextAgent agent missing",
        {"contextAgents": [{"objectType": "contextAgent"}]},
        "contextAgents[0].agent",
    ),
    (
        "contextAgent agent is a group",
        {"contextAgents": [{"objectType": "contextAgent", "agent": GROUP_MBOX}]},
        "contextAgents[0].agent.objectType",
    ),
    (
        "contextAgent relevantTypes empty",
        {"contextAgents": [{**CONTEXT_AGENT, "relevantTypes": []}]},
        "contextAgents[0].relevantTypes",
    ),
    (
        "contextAgent relevantTypes non-IRI",
        {"contextAgents": [{**CONTEXT_AGENT, "relevantTypes": ["abc"]}]},
        "contextAgents[0].relevantTypes[0]",
    ),
    (
        "contextAgent relevantTypes string",
        {"contextAgents": [{**CONTEXT_AGENT, "relevantTypes": "http://example.com/t"}]},
        "contextAgents[0].relevantTypes",
    ),
    (
        "contextAgent extra",
        {"contextAgents": [{**CONTEXT_AGENT, "member": []}]},
        "contextAgents[0].member",
    ),
    ("contextAgent not object", {"contextAgents": ["mailto:a@b.org"]}, "contextAgents[0]"),
    ("contextGroups not array", {"contextGroups": CONTEXT_GROUP}, "contextGroups"),
    (
        "contextGroup objectType",
        {"contextGroups": [{**CONTEXT_GROUP, "objectType": "Should fail"}]},
        "contextGroups[0].objectType",
    ),
    (
        "contextGroup group invalid",
        {"contextGroups": [{"objectType": "contextGroup", "group": {"key": "Should fail"}}]},
        "contextGroups[0].group",
    ),
    (
        "contextGroup group is an agent",
        {"contextGroups": [{"objectType": "contextGroup", "group": AGENT}]},
        "contextGroups[0].group",
    ),
    (
        "contextGroup group missing",
        {"contextGroups": [{"objectType": "contextGroup"}]},
        "contextGroups[0].group",
    ),
    (
        "contextGroup member key (suite fixture)",
        {"contextGroups": [{**CONTEXT_GROUP, "objectType": "Should fail", "member": [AGENT]}]},
        "contextGroups[0].objectType",
    ),
    (
        "contextGroup relevantTypes empty",
        {"contextGroups": [{**CONTEXT_GROUP, "relevantTypes": []}]},
        "contextGroups[0].relevantTypes",
    ),
    (
        "contextGroup relevantTypes non-IRI",
        {"contextGroups": [{**CONTEXT_GROUP, "relevantTypes": ["abc"]}]},
        "contextGroups[0].relevantTypes[0]",
    ),
    (
        "contextGroup null",
        {"contextGroups": [{**CONTEXT_GROUP, "relevantTypes": None}]},
        "contextGroups[0].relevantTypes",
    ),
]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize(
    ("case", "context", "field"), CONTEXT_2_0_INVALID, ids=[c[0] for c in CONTEXT_2_0_INVALID]
)
def test_context_agents_and_groups_invalid(
    place: str, case: str, context: dict[str, Any], field: str
) -> None:
    """9274.1.1 Context (v2_0 suite contextagents.js / contextgroups.js)."""
    prefix, base = PLACES[place]
    data = build({"context": context}, base=base, prefix=prefix)
    expect_invalid(data, "2.0.0", f"statement.{prefix}context.{field}")


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("key", ["timestamp", "stored"])
def test_timestamp_without_zone(place: str, key: str) -> None:
    """Data §4.5: 1.0.3 lets a timestamp omit the offset (taken as UTC); 9274.1.1 requires one."""
    if key == "stored" and place == "substatement":
        return
    prefix, base = PLACES[place]
    data = build({key: "2015-11-18T12:17:00"}, base=base, prefix=prefix)
    validate_statement(data, version="1.0.3")
    expect_invalid(data, "2.0.0", f"statement.{prefix}{key}")


# --------------------------------------------------------------------------------------------
# Normalisation and batches
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("key", ["parent", "grouping", "category", "other"])
def test_single_context_activity_becomes_array(version: str, key: str) -> None:
    """Data §2.4.6.2 XAPI-00096: contextActivities values are returned as arrays, also in a
    SubStatement."""
    context = {"contextActivities": {key: ACTIVITY}}
    data = build({"context": context, "object.context": context}, base=SUB_BASE)
    stored = validate_statement(data, version=version)
    assert stored["context"]["contextActivities"] == {key: [ACTIVITY]}
    assert stored["object"]["context"]["contextActivities"] == {key: [ACTIVITY]}
    assert data["context"]["contextActivities"] == {key: ACTIVITY}  # input untouched
    assert data["object"]["context"]["contextActivities"] == {key: ACTIVITY}


@pytest.mark.parametrize("version", VERSIONS)
def test_nothing_is_invented(version: str) -> None:
    """The validator adds no id, stored, authority, timestamp, version or objectType."""
    stored = validate_statement(build({"object": {"id": ACTIVITY_ID}}), version=version)
    assert stored == build({"object": {"id": ACTIVITY_ID}})


def test_unsupported_version_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        validate_statement(BASE, version="1.0.2")


@pytest.mark.parametrize("data", ["x", 1, None, [BASE], True])
def test_statement_must_be_an_object(data: Any) -> None:
    """Data §2.4: a statement is a JSON object."""
    expect_invalid(data, "1.0.3", "statement")


def test_custom_field_prefix() -> None:
    """The field prefix is the caller's (e.g. "statements[3]" for a batch)."""
    with pytest.raises(StatementInvalid) as caught:
        validate_statement(build({"actor.mbox": "x"}), version="1.0.3", field="statements[3]")
    assert caught.value.field == "statements[3].actor.mbox"


def test_batch_single_statement() -> None:
    """Communication §2.1.2: POST with one statement object."""
    assert validate_statement_batch(BASE, version="2.0.0") == [BASE]


def test_batch_list_names_the_index() -> None:
    """Communication §2.1.2: POST with an array; the error names the statement's index."""
    good = build({})
    bad = build({"context": {"contextActivities": {"parent": [ACTIVITY, {"id": "x"}]}}})
    with pytest.raises(StatementInvalid) as caught:
        validate_statement_batch([good, good, good, bad], version="1.0.3")
    assert caught.value.field == "statements[3].context.contextActivities.parent[1].id"
    assert "statements[3].context.contextActivities.parent[1].id" in caught.value.message


@pytest.mark.parametrize("data", ["x", 1, None])
def test_batch_must_be_object_or_array(data: Any) -> None:
    with pytest.raises(StatementInvalid) as caught:
        validate_statement_batch(data, version="1.0.3")
    assert caught.value.field == "statements"


def test_batch_empty_array() -> None:
    """An empty array validates to no statements (the write path decides how to answer)."""
    assert validate_statement_batch([], version="1.0.3") == []


def test_statement_invalid_carries_message_and_field() -> None:
    error = StatementInvalid("statement.actor is required", "statement.actor")
    assert error.message == "statement.actor is required"
    assert error.field == "statement.actor"
    assert str(error) == "statement.actor is required"
