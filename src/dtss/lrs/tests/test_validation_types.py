"""xAPI special data types (Data §4) and the helpers of dtss.lrs.xapi: timestamps, durations,
UUIDs, IRIs, language tags, agents and the agent parameter, the ids / canonical formats
(Communication §2.1.3) and Accept-Language. Pure functions, no database."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from dtss.lrs.xapi import (
    StatementInvalid,
    accept_languages,
    agent_key,
    format_timestamp,
    group_member_keys,
    is_language_tag,
    parse_agent_param,
    parse_timestamp,
    statement_canonical_format,
    statement_ids_format,
    validate_activity_definition,
    validate_agent,
    validate_duration,
    validate_extensions,
    validate_iri,
    validate_language_map,
    validate_uuid,
)

UTC = datetime.UTC


def tz(hours: int, minutes: int = 0) -> datetime.timezone:
    sign = -1 if hours < 0 else 1
    return datetime.timezone(datetime.timedelta(hours=hours, minutes=sign * minutes))


# --------------------------------------------------------------------------------------------
# Data §4.5 timestamps
# --------------------------------------------------------------------------------------------

VALID_TIMESTAMPS = [
    ("2015-11-18T12:17:00Z", datetime.datetime(2015, 11, 18, 12, 17, tzinfo=UTC)),
    ("2015-11-18T12:17:00.123Z", datetime.datetime(2015, 11, 18, 12, 17, 0, 123000, tzinfo=UTC)),
    (
        "2015-11-18T12:17:00.123456789Z",
        datetime.datetime(2015, 11, 18, 12, 17, 0, 123456, tzinfo=UTC),
    ),
    ("2015-11-18t12:17:00z", datetime.datetime(2015, 11, 18, 12, 17, tzinfo=UTC)),
    ("2015-11-18 12:17:00+00:00", datetime.datetime(2015, 11, 18, 12, 17, tzinfo=UTC)),
    ("2015-11-18T12:17:00+08:00", datetime.datetime(2015, 11, 18, 12, 17, tzinfo=tz(8))),
    ("2015-11-18T12:17:00-05:30", datetime.datetime(2015, 11, 18, 12, 17, tzinfo=tz(-5, 30))),
    ("2015-11-18T12:17:00+0800", datetime.datetime(2015, 11, 18, 12, 17, tzinfo=tz(8))),
    ("2015-11-18T12:17:00+08", datetime.datetime(2015, 11, 18, 12, 17, tzinfo=tz(8))),
    ("20151118T121700Z", datetime.datetime(2015, 11, 18, 12, 17, tzinfo=UTC)),
    ("20151118T121700.5+0100", datetime.datetime(2015, 11, 18, 12, 17, 0, 500000, tzinfo=tz(1))),
    ("2015-11-18T12:17Z", datetime.datetime(2015, 11, 18, 12, 17, tzinfo=UTC)),
    ("2015-11-18T12:17:00,5Z", datetime.datetime(2015, 11, 18, 12, 17, 0, 500000, tzinfo=UTC)),
    ("2016-02-29T23:59:59Z", datetime.datetime(2016, 2, 29, 23, 59, 59, tzinfo=UTC)),
]


@pytest.mark.parametrize(
    ("text", "expected"), VALID_TIMESTAMPS, ids=[t for t, _ in VALID_TIMESTAMPS]
)
def test_timestamp_valid(text: str, expected: datetime.datetime) -> None:
    """Data §4.5 XAPI-00123: ISO 8601 extended or basic, RFC 3339 (space separator too)."""
    value = parse_timestamp(text, field="since")
    assert value == expected
    assert value.utcoffset() == expected.utcoffset()


INVALID_TIMESTAMPS = [
    "should fail",
    "01/011/2015",
    "2015-11-18",
    "2015-11-18T",
    "2015-11-18T12",
    "2015-11-18T12:17:00.601-00",
    "2015-11-18T12:17:00.601-0000",
    "2015-11-18T12:17:00.601-00:00",
    "2015-13-18T12:17:00Z",
    "2015-02-29T12:17:00Z",
    "2015-11-18T24:00:01Z",
    "2015-11-18T12:60:00Z",
    "2015-11-18T12:17:00+24:00",
    "2015-11-18T12:17:00+08:60",
    "0000-01-01T00:00:00Z",
    "2015-11-18T12:17:00ZZ",
    " 2015-11-18T12:17:00Z",
    "2015-11-18T12:17:00Z\n",
    "July 04, 1776 16:00:45",
    "",
]


@pytest.mark.parametrize("text", INVALID_TIMESTAMPS)
def test_timestamp_invalid(text: str) -> None:
    """Data §4.5 XAPI-00123: anything else, the -00:00 "unknown offset" forms included."""
    with pytest.raises(StatementInvalid) as caught:
        parse_timestamp(text, field="statement.timestamp")
    assert caught.value.field == "statement.timestamp"


@pytest.mark.parametrize("value", [1447849020, 1.5, None, {"t": 1}, ["2015-11-18T12:17:00Z"]])
def test_timestamp_not_a_string(value: Any) -> None:
    """Data §4.5: a timestamp is a string."""
    with pytest.raises(StatementInvalid):
        parse_timestamp(value, field="until")


def test_timestamp_without_zone_is_utc_unless_required() -> None:
    """Data §4.5: a timestamp without offset is taken as UTC (1.0.3); 9274.1.1 requires one."""
    assert parse_timestamp("2015-11-18T12:17:00", field="since") == datetime.datetime(
        2015, 11, 18, 12, 17, tzinfo=UTC
    )
    with pytest.raises(StatementInvalid) as caught:
        parse_timestamp("2015-11-18T12:17:00", field="statement.timestamp", require_timezone=True)
    assert "time zone" in caught.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            datetime.datetime(2015, 11, 18, 12, 17, 0, 123000, tzinfo=UTC),
            "2015-11-18T12:17:00.123000Z",
        ),
        (datetime.datetime(2015, 11, 18, 20, 17, tzinfo=tz(8)), "2015-11-18T12:17:00.000000Z"),
        (datetime.datetime(2015, 11, 18, 12, 17, 0, 1), "2015-11-18T12:17:00.000001Z"),
        (datetime.datetime(2016, 1, 1, 0, 30, tzinfo=tz(1)), "2015-12-31T23:30:00.000000Z"),
    ],
)
def test_format_timestamp(value: datetime.datetime, expected: str) -> None:
    """Data §4.5: stored and returned as RFC 3339 UTC with "Z", microseconds kept."""
    assert format_timestamp(value) == expected


def test_format_timestamp_round_trips() -> None:
    value = parse_timestamp("2024-05-01T08:30:00.123456+08:00", field="t")
    assert parse_timestamp(format_timestamp(value), field="t") == value


# --------------------------------------------------------------------------------------------
# Data §4.6 durations, §4.4 UUIDs, §4.1.3 IRIs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "PT1H0M0.1S",
        "PT4H35M59.14S",
        "PT16559.14S",
        "P3Y1M29DT4H35M59.14S",
        "P3Y",
        "P4W",
        "PT0S",
        "P1D",
        "PT1M",
        "P0.5Y",
        "PT0,5S",
        "P1Y2M",
        "PT36H",
    ],
)
def test_duration_valid(value: str) -> None:
    """Data §4.6 XAPI-00124: ISO 8601:2004 §4.4.3.2 durations."""
    assert validate_duration(value, field="d") == value


@pytest.mark.parametrize(
    "value",
    [
        "PA1H0M0S",
        "should fail",
        "P4W1D",
        "P",
        "PT",
        "P1H",
        "PT1D",
        "1H",
        "P-1D",
        "P1.D",
        "P0003-00-00T00:00:00",
        "pt1h",
        "P1DT",
        "",
        " PT1S",
        12345,
        {"key": "x"},
    ],
)
def test_duration_invalid(value: Any) -> None:
    """Data §4.6 XAPI-00124: other forms, the alternative format included, are rejected."""
    with pytest.raises(StatementInvalid) as caught:
        validate_duration(value, field="statement.result.duration")
    assert caught.value.field == "statement.result.duration"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("fd41c918-b88b-4b20-a0a5-a4c32391aaa0", "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"),
        ("FD41C918-B88B-4B20-A0A5-A4C32391AAA0", "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"),
        ("00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"),
    ],
)
def test_uuid_valid(value: str, expected: str) -> None:
    """Data §4.4: the standard string form, returned in canonical lower case."""
    assert validate_uuid(value, field="statementId") == expected


@pytest.mark.parametrize(
    "value",
    [
        "AA97B177-9383-4934-8543-0F91A7A028368",
        "MA97B177-9383-4934-8543-0F91A7A02836",
        "fd41c918b88b4b20a0a5a4c32391aaa0",
        "{fd41c918-b88b-4b20-a0a5-a4c32391aaa0}",
        "urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        "",
        12345,
        None,
        {"key": "x"},
    ],
)
def test_uuid_invalid(value: Any) -> None:
    """Data §4.4 (uuids.js): too many digits, non-hex letters, other forms, non-strings."""
    with pytest.raises(StatementInvalid) as caught:
        validate_uuid(value, field="statementId")
    assert caught.value.field == "statementId"


@pytest.mark.parametrize(
    "value",
    [
        "http://adlnet.gov/expapi/verbs/attended",
        "https://example.com/a?b=c#d",
        "urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        "mailto:a@b.org",
        "tag:example.com,2024:x",
        "http://例子.測試/活動",
        "http://example.com/path/../x",
        "x-custom+scheme.v1:thing",
    ],
)
def test_iri_valid(value: str) -> None:
    """Data §4.1.3: absolute IRIs, not normalised."""
    assert validate_iri(value, field="activityId") == value


@pytest.mark.parametrize(
    "value",
    [
        "should fail",
        "ab=c://should.fail.com",
        "www.example.com",
        "/relative/path",
        "http:",
        "1http://example.com",
        "http://example.com/a b",
        "http://example.com/<x>",
        "",
        1,
        None,
        ["http://example.com"],
    ],
)
def test_iri_invalid(value: Any) -> None:
    """Data §4.1.3 XAPI-00047/-00060: no scheme, bad scheme, spaces, non-strings."""
    with pytest.raises(StatementInvalid) as caught:
        validate_iri(value, field="activityId")
    assert caught.value.field == "activityId"


# --------------------------------------------------------------------------------------------
# Data §4.2 language maps (RFC 5646)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        "en",
        "de",
        "en-US",
        "EN-us",
        "zh-Hant",
        "zh-Hant-TW",
        "zh-Hans-CN",
        "sr-Latn-RS",
        "sr-Cyrl",
        "es-419",
        "es-MX",
        "fr-CA",
        "cmn",
        "ase",
        "ja",
        "de-CH-1901",
        "sl-rozaj-biske",
        "en-a-bbb-x-a-ccc",
        "x-whatever",
        "i-klingon",
        "en-GB-oed",
        "zh-min-nan",
        "und",
        "zh-yue-HK",
        "qaa-Qaaa-QM-x-southern",
        "de-Qaaa",
        "sl-1994",
        "hy-Latn-IT-arevela",
    ],
)
def test_language_tag_valid(tag: str) -> None:
    """Data §4.2 XAPI-00121: RFC 5646 tags (language, extlang, script, region, variants,
    extensions, private use, grandfathered)."""
    assert is_language_tag(tag)


@pytest.mark.parametrize(
    "tag",
    [
        "something",
        "a12345",
        "en-",
        "-en",
        "en--US",
        "en_US",
        "en US",
        "zh-z-aaa-z-bbb-c-ccc",
        "de-1901-1901",
        "e",
        "toolonglang",
        "en-x",
        "x",
        "en-US-",
        "1en",
        "",
        5,
        None,
    ],
)
def test_language_tag_invalid(tag: Any) -> None:
    """Data §4.2 XAPI-00013/-00121: malformed tags, repeated singleton or variant."""
    assert not is_language_tag(tag)


def test_language_map_rules() -> None:
    """Data §4.2: a non-empty object of valid tags to strings."""
    validate_language_map({"en-US": "a", "zh-TW": "乙"}, field="m")
    for value, field in [
        ({}, "m"),
        ("x", "m"),
        ([], "m"),
        ({"en-US": 1}, "m.en-US"),
        ({"en-US": None}, "m.en-US"),
        ({"en-US": "a", "bad tag": "b"}, "m.bad tag"),
    ]:
        with pytest.raises(StatementInvalid) as caught:
            validate_language_map(value, field="m")
        assert caught.value.field == field


def test_extensions_rules() -> None:
    """Data §4.1 XAPI-00118..-00120: IRI keys, any values."""
    validate_extensions({"http://example.com/a": None, "urn:x:y": [1, {"k": None}]}, field="e")
    validate_extensions({}, field="e")
    for value, field in [("x", "e"), ([], "e"), ({"key": 1}, "e.key"), ({"": 1}, "e.")]:
        with pytest.raises(StatementInvalid) as caught:
            validate_extensions(value, field="e")
        assert caught.value.field == field


# --------------------------------------------------------------------------------------------
# Agents, the agent parameter and agent keys
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_validate_agent_group_allowed_or_not(version: str) -> None:
    """Data §2.4.2: validate_agent takes Agents, and Groups unless allow_group=False."""
    group = {"objectType": "Group", "mbox": "mailto:team@example.com"}
    validate_agent({"mbox": "mailto:a@b.org"}, version=version, field="agent")
    validate_agent(group, version=version, field="agent")
    with pytest.raises(StatementInvalid) as caught:
        validate_agent(group, version=version, field="agent", allow_group=False)
    assert caught.value.field == "agent.objectType"


@pytest.mark.parametrize(
    "agent",
    [
        {"mbox": "mailto:a@b.org"},
        {"objectType": "Agent", "mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"},
        {"openid": "http://openid.example.org/12345"},
        {"account": {"homePage": "http://www.example.com", "name": "xAPI account name"}},
        {"objectType": "Group", "mbox": "mailto:team@example.com"},
    ],
)
def test_agent_param_valid(agent: dict[str, Any]) -> None:
    """Communication §2.1.3 / §2.3: the agent parameter is the JSON of an Agent or identified
    Group."""
    assert parse_agent_param(json.dumps(agent), version="1.0.3") == agent


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("not json", "agent"),
        ("", "agent"),
        ('"mailto:a@b.org"', "agent"),
        ("[]", "agent"),
        ('{"name": "x"}', "agent"),
        ('{"mbox": "a@b.org"}', "agent.mbox"),
        ('{"mbox": "mailto:a@b.org", "openid": "http://o.org/1"}', "agent"),
        ('{"objectType": "Group", "member": [{"mbox": "mailto:a@b.org"}]}', "agent"),
        ('{"mbox": "mailto:a@b.org", "extra": 1}', "agent.extra"),
        ('{"objectType": "Activity", "id": "http://x.org"}', "agent.objectType"),
    ],
)
def test_agent_param_invalid(text: str, field: str) -> None:
    """Communication §2.1.3: invalid JSON, not an Agent, an anonymous Group → 400 naming it."""
    with pytest.raises(StatementInvalid) as caught:
        parse_agent_param(text, version="2.0.0")
    assert caught.value.field == field


def test_agent_param_custom_field() -> None:
    with pytest.raises(StatementInvalid) as caught:
        parse_agent_param('{"mbox": "x"}', version="1.0.3", field="agent")
    assert caught.value.field == "agent.mbox"


@pytest.mark.parametrize(
    ("agent", "key"),
    [
        ({"mbox": "mailto:a@b.org", "name": "A"}, "mbox:mailto:a@b.org"),
        (
            {"mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"},
            "mbox_sha1sum:cd9b00a5611f94eaa7b1661edab976068e364975",
        ),
        ({"openid": "http://openid.example.org/1"}, "openid:http://openid.example.org/1"),
        ({"account": {"homePage": "http://x.org", "name": "n1"}}, "account:http://x.org|n1"),
        (
            {
                "objectType": "Group",
                "mbox": "mailto:t@b.org",
                "member": [{"mbox": "mailto:a@b.org"}],
            },
            "mbox:mailto:t@b.org",
        ),
        ({"objectType": "Group", "member": [{"mbox": "mailto:a@b.org"}]}, ""),
    ],
)
def test_agent_key(agent: dict[str, Any], key: str) -> None:
    """Data §2.4.2.3: an agent is identified by its one IFI; an anonymous group has none."""
    assert agent_key(agent) == key


def test_group_member_keys() -> None:
    group = {
        "objectType": "Group",
        "member": [
            {"mbox": "mailto:a@b.org"},
            {"account": {"homePage": "http://x.org", "name": "n1"}},
        ],
    }
    assert group_member_keys(group) == ["mbox:mailto:a@b.org", "account:http://x.org|n1"]
    assert group_member_keys({"mbox": "mailto:a@b.org"}) == []


def test_activity_definition_direct() -> None:
    """Data §2.4.4.1: the definition checker used by the Activities resource."""
    validate_activity_definition(
        {"name": {"en": "x"}, "interactionType": "likert", "scale": [{"id": "1"}]},
        version="2.0.0",
        field="definition",
    )
    with pytest.raises(StatementInvalid) as caught:
        validate_activity_definition({"type": "x"}, version="2.0.0", field="definition")
    assert caught.value.field == "definition.type"


# --------------------------------------------------------------------------------------------
# Communication §2.1.3 formats and Accept-Language
# --------------------------------------------------------------------------------------------

FULL = {
    "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    "actor": {"objectType": "Agent", "name": "A", "mbox": "mailto:a@b.org"},
    "verb": {
        "id": "http://adlnet.gov/expapi/verbs/answered",
        "display": {"en-US": "answered", "zh-TW": "回答了", "de": "beantwortete"},
    },
    "object": {
        "objectType": "Activity",
        "id": "http://example.com/q1",
        "definition": {
            "name": {"en-US": "Question 1", "zh-TW": "第一題"},
            "description": {"en-GB": "The first", "zh-Hant-TW": "第一個"},
            "interactionType": "choice",
            "choices": [{"id": "a", "description": {"en-US": "A", "zh-TW": "甲"}}, {"id": "b"}],
        },
    },
    "context": {
        "instructor": {"name": "T", "account": {"homePage": "http://x.org", "name": "t"}},
        "team": {
            "objectType": "Group",
            "name": "G",
            "member": [{"name": "B", "mbox": "mailto:b@b.org"}],
        },
        "contextActivities": {
            "parent": [
                {"id": "http://example.com/c", "definition": {"name": {"en": "C", "zh": "課"}}}
            ]
        },
        "contextAgents": [
            {"objectType": "contextAgent", "agent": {"name": "P", "mbox": "mailto:p@b.org"}}
        ],
    },
    "authority": {"objectType": "Agent", "name": "Auth", "mbox": "mailto:auth@b.org"},
    "attachments": [
        {
            "usageType": "http://example.com/u",
            "display": {"en-US": "D", "zh-TW": "附"},
            "contentType": "text/plain",
            "length": 1,
            "sha2": "ab" * 32,
        }
    ],
}


def test_ids_format() -> None:
    """Communication §2.1.3 format=ids: agents keep objectType and IFI, activities their id,
    verbs their id; anonymous groups keep their (reduced) members."""
    result = statement_ids_format(FULL)
    assert result["actor"] == {"objectType": "Agent", "mbox": "mailto:a@b.org"}
    assert result["verb"] == {"id": "http://adlnet.gov/expapi/verbs/answered"}
    assert result["object"] == {"objectType": "Activity", "id": "http://example.com/q1"}
    assert result["authority"] == {"objectType": "Agent", "mbox": "mailto:auth@b.org"}
    assert result["context"]["instructor"] == {"account": {"homePage": "http://x.org", "name": "t"}}
    assert result["context"]["team"] == {
        "objectType": "Group",
        "member": [{"mbox": "mailto:b@b.org"}],
    }
    assert result["context"]["contextActivities"] == {"parent": [{"id": "http://example.com/c"}]}
    assert result["context"]["contextAgents"][0]["agent"] == {"mbox": "mailto:p@b.org"}
    assert result["id"] == FULL["id"]
    assert result["attachments"] == FULL["attachments"]
    assert FULL["actor"]["name"] == "A"  # the input is not modified


def test_ids_format_substatement() -> None:
    statement = {
        "actor": {"mbox": "mailto:a@b.org", "name": "A"},
        "verb": {"id": "http://x.org/v", "display": {"en": "v"}},
        "object": {
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:c@b.org", "name": "C"},
            "verb": {"id": "http://x.org/w", "display": {"en": "w"}},
            "object": {"objectType": "Agent", "mbox": "mailto:d@b.org", "name": "D"},
        },
    }
    result = statement_ids_format(statement)
    assert result["object"] == {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:c@b.org"},
        "verb": {"id": "http://x.org/w"},
        "object": {"objectType": "Agent", "mbox": "mailto:d@b.org"},
    }


@pytest.mark.parametrize(
    ("languages", "verb", "name"),
    [
        (["zh-TW"], {"zh-TW": "回答了"}, {"zh-TW": "第一題"}),
        (["ZH-tw", "en"], {"zh-TW": "回答了"}, {"zh-TW": "第一題"}),
        (["de", "en-US"], {"de": "beantwortete"}, {"en-US": "Question 1"}),
        (["en"], {"en-US": "answered"}, {"en-US": "Question 1"}),
        (["fr"], {"en-US": "answered"}, {"en-US": "Question 1"}),
        ([], {"en-US": "answered"}, {"en-US": "Question 1"}),
    ],
)
def test_canonical_format(languages: list[str], verb: dict[str, str], name: dict[str, str]) -> None:
    """Communication §2.1.3 format=canonical: one entry per language map, the best for the
    Accept-Language list (exact, then prefix match), else the first."""
    result = statement_canonical_format(FULL, languages)
    assert result["verb"]["display"] == verb
    assert result["object"]["definition"]["name"] == name
    assert len(result["object"]["definition"]["description"]) == 1
    assert len(result["object"]["definition"]["choices"][0]["description"]) == 1
    assert result["object"]["definition"]["choices"][1] == {"id": "b"}
    assert len(result["context"]["contextActivities"]["parent"][0]["definition"]["name"]) == 1
    assert len(result["attachments"][0]["display"]) == 1
    assert len(FULL["verb"]["display"]) == 3  # the input is not modified


def test_canonical_format_zh_hant() -> None:
    """A "zh-Hant-TW" entry is the best for "zh-Hant" (prefix) when nothing matches exactly."""
    result = statement_canonical_format(FULL, ["zh-Hant"])
    assert result["object"]["definition"]["description"] == {"zh-Hant-TW": "第一個"}


def test_canonical_format_substatement() -> None:
    statement = {
        "actor": {"mbox": "mailto:a@b.org"},
        "verb": {"id": "http://x.org/v"},
        "object": {
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:a@b.org"},
            "verb": {"id": "http://x.org/w", "display": {"en": "w", "de": "x"}},
            "object": {"id": "http://x.org/a"},
        },
    }
    result = statement_canonical_format(statement, ["de"])
    assert result["object"]["verb"]["display"] == {"de": "x"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, []),
        ("", []),
        ("zh-TW", ["zh-TW"]),
        ("zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7", ["zh-TW", "zh", "en-US", "en"]),
        ("en;q=0.5, de", ["de", "en"]),
        ("da, en-gb;q=0.8, en;q=0.7", ["da", "en-gb", "en"]),
        ("fr;q=0, en", ["en"]),
        ("*", []),
        ("de;q=0.5, fr;q=0.5, *;q=0.1", ["de", "fr"]),
        ("en;q=abc, de", ["de"]),
    ],
)
def test_accept_languages(header: str | None, expected: list[str]) -> None:
    """Communication §2.1.3 / RFC 7231 §5.3.5: ranges by quality, ties in header order."""
    assert accept_languages(header) == expected


# --------------------------------------------------------------------------------------------
# Performance (the budget is < 5 ms per 100; benchmarks/lrs_validate.py measures it)
# --------------------------------------------------------------------------------------------
