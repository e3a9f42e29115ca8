"""The file formats the register imports: turn a file into normalised rows with row numbers.

- `register`: the DTSS register (CSV or XLSX), columns in English or Chinese (資產編號 …).
- `jamf`: a Jamf School device export (CSV): Serial Number, Name, Model, OS Version,
  Last Check-in, UDID, Owner / Email, Asset Tag, Location.
- `google`: the Google Admin Chromebook list (CSV): serialNumber, model, osVersion, lastSync,
  annotatedAssetId, annotatedLocation, annotatedUser, deviceId, status, orgUnitPath.
- `intune`: a Microsoft Intune device export (CSV): Device name, Serial number, Model,
  Manufacturer, OS, OS version, Last check-in, Primary user UPN, Device ID.

Files are read by `dtss.imports.parsing` (UTF-8 with or without BOM, Big5, XLSX). Header cells
are matched case-insensitively and extra columns are ignored. A file whose header matches
another format better than the chosen one is refused with a message that says so ("this looks
like a Google Admin export, not Jamf School"). Problems are `Problem`s: a row, a field (the
column as the format names it) and an untranslated message with its parameters, translated
when shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_noop

from dtss.devices.models import Device, DeviceImport, DeviceKind, FundingSource
from dtss.imports.parsing import ParseError, normalise_header, parse_file

REGISTER = DeviceImport.Source.REGISTER
JAMF = DeviceImport.Source.JAMF
GOOGLE = DeviceImport.Source.GOOGLE
INTUNE = DeviceImport.Source.INTUNE
MDM_SOURCES = (JAMF, GOOGLE, INTUNE)

# Names of the formats inside messages (not translated: product names).
FORMAT_NAMES = {
    REGISTER: "DTSS register file",
    JAMF: "Jamf School export",
    GOOGLE: "Google Admin export",
    INTUNE: "Microsoft Intune export",
}


@dataclass
class Problem:
    row: int
    field: str
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.msgid % self.params if self.params else self.msgid

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "message": self.message,
            "msgid": self.msgid,
            "params": self.params,
        }


def problem_text(item: dict[str, Any]) -> str:
    """A stored problem in the reader's language."""
    from django.utils.translation import gettext

    msgid = item.get("msgid") or item.get("message") or ""
    params = item.get("params") or {}
    try:
        return gettext(msgid) % params if params else gettext(msgid)
    except (KeyError, TypeError, ValueError):
        return str(item.get("message", msgid))


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]  # as the format's files spell them; the first is the canonical
    required: bool = False
    example: str = ""

    @property
    def label(self) -> str:
        return self.headers[0]


@dataclass
class Row:
    """One data row: its spreadsheet row number and its cells by column key."""

    number: int
    values: dict[str, str]
    # filled by `clean_row`
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Format:
    source: str
    columns: tuple[Column, ...]
    distinctive: tuple[str, ...]  # header texts (normalised) only this format uses

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def label(self, key: str) -> str:
        for column in self.columns:
            if column.key == key:
                return column.label
        return key


REGISTER_FORMAT = Format(
    source=REGISTER,
    columns=(
        Column("asset_tag", ("asset_tag", "資產編號", "asset tag"), example="083601-T-0001"),
        Column("serial", ("serial", "序號", "serial number"), example="DMPXK1ABCDEF"),
        Column("kind", ("kind", "類別"), required=True, example="tablet"),
        Column("manufacturer", ("manufacturer", "廠牌"), example="Apple"),
        Column("model", ("model", "型號"), example="iPad (10th generation)"),
        Column("os", ("os", "作業系統"), example="iPadOS 17"),
        Column("school_code", ("school_code", "學校代碼", "school code"), example="083601"),
        Column("funding_source", ("funding_source", "經費來源"), example="central"),
        Column("programme", ("programme", "計畫", "program"), example="生生用平板"),
        Column("purchase_date", ("purchase_date", "購置日期"), example="113/08/01"),
        Column("cost", ("cost", "金額"), example="12000"),
        Column("warranty_end", ("warranty_end", "保固到期"), example="2027-07-31"),
        Column("location", ("location", "位置"), example="平板車 A"),
        Column("status", ("status", "狀態"), example="in_stock"),
        Column("notes", ("notes", "備註"), example=""),
    ),
    distinctive=(
        "asset_tag",
        "資產編號",
        "school_code",
        "學校代碼",
        "funding_source",
        "經費來源",
        "購置日期",
        "保固到期",
    ),
)

JAMF_FORMAT = Format(
    source=JAMF,
    columns=(
        Column("serial", ("Serial Number", "serial"), required=True, example="DMPXK1ABCDEF"),
        Column("name", ("Name", "Device Name"), example="5-1 iPad 01"),
        Column("model", ("Model",), example="iPad (10th generation)"),
        Column("os", ("OS Version", "iOS Version", "OS"), example="17.5.1"),
        Column("last_contact", ("Last Check-in", "Last Checkin"), example="2025-11-03 08:15:00"),
        Column("mdm_id", ("UDID",), example="00008101-000A1B2C3D4E001E"),
        Column("user", ("Owner", "Email", "Owner Email", "User"), example="s1130001@school.tw"),
        Column("asset_tag", ("Asset Tag",), example=""),
        Column("location", ("Location",), example="南投國小"),
    ),
    distinctive=("udid", "owner", "last checkin"),
)

GOOGLE_FORMAT = Format(
    source=GOOGLE,
    columns=(
        Column("serial", ("serialNumber",), required=True, example="5CD1234XYZ"),
        Column("model", ("model",), example="Acer Chromebook Spin 511"),
        Column("os", ("osVersion",), example="120.0.6099.235"),
        Column("last_contact", ("lastSync",), example="2025-11-03T00:15:00.000Z"),
        Column("asset_tag", ("annotatedAssetId",), example=""),
        Column("location", ("annotatedLocation",), example="電腦教室"),
        Column("user", ("annotatedUser", "recentUsers"), example="s1130001@school.tw"),
        Column("mdm_id", ("deviceId",), example="7f1c2d3e-aaaa-bbbb-cccc-0123456789ab"),
        Column("mdm_status", ("status",), example="ACTIVE"),
        Column("org_unit", ("orgUnitPath",), example="/學生/五年級"),
    ),
    distinctive=(
        "serialnumber",
        "osversion",
        "lastsync",
        "annotatedassetid",
        "annotatedlocation",
        "annotateduser",
        "deviceid",
        "orgunitpath",
    ),
)

INTUNE_FORMAT = Format(
    source=INTUNE,
    columns=(
        Column("name", ("Device name",), example="NTES-LAB-01"),
        Column("serial", ("Serial number",), required=True, example="PF3ABCDE"),
        Column("model", ("Model",), example="ThinkPad L13 Gen 4"),
        Column("manufacturer", ("Manufacturer",), example="LENOVO"),
        Column("os_name", ("OS",), example="Windows"),
        Column("os", ("OS version",), example="10.0.22631.4460"),
        Column("last_contact", ("Last check-in",), example="11/3/2025 8:15:00 AM"),
        Column("user", ("Primary user UPN", "Primary user email address"), example=""),
        Column("mdm_id", ("Device ID",), example="0f5b1c9e-1234-4a5b-9c8d-abcdef012345"),
    ),
    distinctive=("device name", "primary user upn", "device id", "manufacturer"),
)

FORMATS: dict[str, Format] = {
    REGISTER: REGISTER_FORMAT,
    JAMF: JAMF_FORMAT,
    GOOGLE: GOOGLE_FORMAT,
    INTUNE: INTUNE_FORMAT,
}


@dataclass
class ParsedRows:
    source: str
    rows: list[Row]
    columns: list[str]  # the column keys present in the file


def _all_headers() -> dict[str, str]:
    """Every header text any format knows, normalised, mapped to itself: the file is read once
    and then matched against each format (to detect a file of the wrong format)."""
    out: dict[str, str] = {}
    for fmt in FORMATS.values():
        for column in fmt.columns:
            for header in column.headers:
                norm = normalise_header(header)
                out[norm] = norm
        for header in fmt.distinctive:
            out[normalise_header(header)] = normalise_header(header)
    return out


def _score(fmt: Format, present: set[str]) -> int:
    return sum(1 for header in fmt.distinctive if normalise_header(header) in present)


def read(*, source: str, filename: str, content: bytes) -> ParsedRows:
    """Read the file as the given format. Raises ParseError for a file that cannot be read, is
    empty, misses a required column or is another format's export."""
    fmt = FORMATS[source]
    if not content.strip():
        raise ParseError(gettext_noop("The file is empty."))
    parsed = parse_file(filename=filename, content=content, aliases=_all_headers())
    present = set(parsed.header)
    # Which format does the header look like? Only complain when another one clearly wins.
    own = _score(fmt, present)
    best = max(
        (other for other in FORMATS.values() if other.source != source),
        key=lambda other: _score(other, present),
    )
    best_score = _score(best, present)
    if best_score >= 2 and best_score > own:
        raise ParseError(
            gettext_noop("This looks like a %(found)s, not a %(expected)s. Choose the source."),
            found=FORMAT_NAMES[best.source],
            expected=FORMAT_NAMES[source],
        )
    mapping: dict[str, str] = {}  # column key -> normalised header found
    for column in fmt.columns:
        for header in column.headers:
            norm = normalise_header(header)
            if norm in present:
                mapping[column.key] = norm
                break
    missing = [c.label for c in fmt.columns if c.required and c.key not in mapping]
    if missing:
        raise ParseError(
            gettext_noop("The file has no %(columns)s column; is it a %(expected)s?"),
            columns=", ".join(missing),
            expected=FORMAT_NAMES[source],
        )
    rows = [
        Row(
            number=number,
            values={key: values.get(norm, "").strip() for key, norm in mapping.items()},
        )
        for number, values in parsed.rows
    ]
    if not rows:
        raise ParseError(gettext_noop("The file has a header but no rows."))
    return ParsedRows(source=source, rows=rows, columns=list(mapping))


# --- values ----------------------------------------------------------------------------------

_ROC = re.compile(r"^(\d{2,3})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_WEST = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")


def parse_date(text: str) -> date:
    """YYYY-MM-DD (or with /), a spreadsheet date, or an ROC date such as 113/08/01."""
    text = text.strip()
    if "T" in text or " " in text:  # an XLSX datetime cell
        text = text.replace("T", " ").split(" ", 1)[0]
    match = _WEST.match(text)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    match = _ROC.match(text)
    if match:
        return date(int(match[1]) + 1911, int(match[2]), int(match[3]))
    raise ValueError(text)


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d",
)
NEVER = {"", "-", "never", "n/a", "none", "null"}


def parse_timestamp(text: str) -> datetime | None:
    """ISO 8601 (with Z or an offset), "2025-11-03 08:15:00", "11/3/2025 8:15:00 AM". A time
    without a zone is Taiwan time. "Never" or empty: None. Raises ValueError otherwise."""
    text = text.strip()
    if text.casefold() in NEVER:
        return None
    value: datetime | None = None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        for fmt in _TIME_FORMATS:
            try:
                value = datetime.strptime(text.upper() if "%p" in fmt else text, fmt)  # noqa: DTZ007
                break
            except ValueError:
                continue
    if value is None:
        raise ValueError(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return value.replace(microsecond=0)


KIND_WORDS: dict[str, str] = {
    "平板": DeviceKind.TABLET,
    "平板電腦": DeviceKind.TABLET,
    "ipad": DeviceKind.TABLET,
    "筆電": DeviceKind.LAPTOP,
    "筆記型電腦": DeviceKind.LAPTOP,
    "notebook": DeviceKind.LAPTOP,
    "行動網卡": DeviceKind.HOTSPOT,
    "分享器": DeviceKind.HOTSPOT,
    "互動式顯示器": DeviceKind.DISPLAY,
    "觸控螢幕": DeviceKind.DISPLAY,
    "電子白板": DeviceKind.DISPLAY,
    "投影機": DeviceKind.PROJECTOR,
    "網路設備": DeviceKind.NETWORK,
    "其他": DeviceKind.OTHER,
}


def parse_kind(text: str) -> str:
    norm = text.strip().casefold()
    if norm in DeviceKind.values:
        return norm
    for value, label in DeviceKind.choices:
        if norm == str(label).casefold():
            return value
    if norm in KIND_WORDS:
        return KIND_WORDS[norm]
    raise ValueError(text)


def parse_choice(text: str, choices: list[tuple[str, Any]]) -> str:
    norm = text.strip().casefold()
    for value, label in choices:
        if norm in (value.casefold(), str(label).casefold()):
            return value
    raise ValueError(text)


# Statuses a file may give: the others follow assignments and loans.
FILE_STATUSES = (
    Device.Status.IN_STOCK,
    Device.Status.IN_REPAIR,
    Device.Status.LOST,
    Device.Status.RETIRED,
)
STATUS_WORDS = {"在庫": "in_stock", "庫存": "in_stock", "維修中": "in_repair", "遺失": "lost"}
STATUS_WORDS.update({"報廢": "retired", "已借出": "on_loan", "使用中": "assigned"})


def serial_key(serial: str) -> str:
    """How serials are matched: trimmed, case-insensitive."""
    return serial.strip().upper()


def clean_register_row(row: Row, fmt: Format = REGISTER_FORMAT) -> list[Problem]:
    """Check and convert the cells of one register row into `row.data`."""
    v = row.values
    out: dict[str, Any] = {}
    problems: list[Problem] = []

    def bad(key: str, msgid: str, **params: Any) -> None:
        problems.append(Problem(row.number, fmt.label(key), msgid, params))

    out["asset_tag"] = v.get("asset_tag", "").strip()
    out["serial"] = v.get("serial", "").strip()
    if not out["asset_tag"] and not out["serial"]:
        bad("asset_tag", gettext_noop("Give the asset tag or the serial number."))
    if len(out["asset_tag"]) > 40:
        bad("asset_tag", gettext_noop("At most %(max)s characters."), max=40)
    if len(out["serial"]) > 80:
        bad("serial", gettext_noop("At most %(max)s characters."), max=80)
    kind = v.get("kind", "")
    if not kind.strip():
        bad("kind", gettext_noop("Give the kind of device."))
    else:
        try:
            out["kind"] = parse_kind(kind)
        except ValueError:
            bad(
                "kind",
                gettext_noop("Unknown kind of device %(value)r; use one of %(allowed)s."),
                value=kind,
                allowed=", ".join(DeviceKind.values),
            )
    for key, name, limit in (
        ("manufacturer", "manufacturer", 80),
        ("model", "model_name", 120),
        ("os", "os", 60),
        ("programme", "programme", 120),
        ("location", "location", 120),
    ):
        text = v.get(key, "").strip()
        if len(text) > limit:
            bad(key, gettext_noop("At most %(max)s characters."), max=limit)
        if key in v:
            out[name] = text
    if "notes" in v:
        out["notes"] = v["notes"].strip()
    out["school_code"] = v.get("school_code", "").strip()
    if out["school_code"] and not re.fullmatch(r"\d{6}", out["school_code"]):
        bad("school_code", gettext_noop("A school code is the MOE's 6 digits, e.g. 083601."))
    funding = v.get("funding_source", "").strip()
    if funding:
        try:
            out["funding_source"] = parse_choice(funding, FundingSource.choices)
        except ValueError:
            bad(
                "funding_source",
                gettext_noop("Unknown funding source %(value)r; use one of %(allowed)s."),
                value=funding,
                allowed=", ".join(FundingSource.values),
            )
    elif "funding_source" in v:
        out["funding_source"] = ""
    for key in ("purchase_date", "warranty_end"):
        text = v.get(key, "").strip()
        if text:
            try:
                out[key] = parse_date(text)
            except ValueError:
                bad(
                    key,
                    gettext_noop("Not a date: %(value)r. Use YYYY-MM-DD or an ROC date 113/08/01."),
                    value=text,
                )
        elif key in v:
            out[key] = None
    start, end = out.get("purchase_date"), out.get("warranty_end")
    if start and end and end < start:
        bad("warranty_end", gettext_noop("The warranty cannot end before the purchase date."))
    cost = v.get("cost", "").strip().replace(",", "").replace("NT$", "").replace("$", "")
    if cost:
        try:
            amount = Decimal(cost)
            if amount < 0 or amount != amount.to_integral_value():
                raise InvalidOperation
            out["cost"] = amount
        except InvalidOperation:
            bad("cost", gettext_noop("Enter a whole amount in NT$, e.g. 12000."))
    elif "cost" in v:
        out["cost"] = None
    status = v.get("status", "").strip()
    if status:
        norm = STATUS_WORDS.get(status, status)
        try:
            value = parse_choice(norm, Device.Status.choices)
        except ValueError:
            value = ""
        if not value:
            bad(
                "status",
                gettext_noop("Unknown status %(value)r; use one of %(allowed)s."),
                value=status,
                allowed=", ".join(FILE_STATUSES),
            )
        else:
            out["status"] = value
    row.data = out
    return problems


def clean_mdm_row(row: Row, fmt: Format) -> list[Problem]:
    """Check and convert one row of an MDM export into `row.data`."""
    v = row.values
    problems: list[Problem] = []
    serial = v.get("serial", "").strip()
    if not serial:
        problems.append(
            Problem(row.number, fmt.label("serial"), gettext_noop("The serial number is missing."))
        )
    elif len(serial) > 80:
        problems.append(
            Problem(row.number, fmt.label("serial"), gettext_noop("At most %(max)s characters."))
        )
    last: datetime | None = None
    text = v.get("last_contact", "")
    try:
        last = parse_timestamp(text)
    except ValueError:
        problems.append(
            Problem(
                row.number,
                fmt.label("last_contact"),
                gettext_noop(
                    "Not a date and time: %(value)r. Expected e.g. 2025-11-03T08:15:00Z, "
                    "2025-11-03 08:15:00 or 11/3/2025 8:15:00 AM."
                ),
                {"value": text},
            )
        )
    os_name = v.get("os_name", "").strip()
    os_version = v.get("os", "").strip()
    model = v.get("model", "").strip()
    if fmt.source == GOOGLE:
        os_text = f"ChromeOS {os_version}" if os_version else ""
    elif fmt.source == JAMF:
        prefix = "iPadOS" if "ipad" in model.casefold() else ""
        if os_version and os_version[:1].isdigit() and prefix:
            os_text = f"{prefix} {os_version}"
        else:
            os_text = os_version
    else:
        os_text = " ".join(p for p in (os_name, os_version) if p)
    row.data = {
        "serial": serial,
        "mdm_id": v.get("mdm_id", "").strip()[:120],
        "last_contact": last,
        "user": v.get("user", "").strip()[:200],
        "model_name": model[:120],
        "os": os_text[:60],
        "os_name": os_name,
        "manufacturer": v.get("manufacturer", "").strip()[:80],
        "asset_tag": v.get("asset_tag", "").strip(),
        "location": v.get("location", "").strip()[:120],
        "name": v.get("name", "").strip(),
    }
    if len(row.data["asset_tag"]) > 40:
        problems.append(
            Problem(
                row.number,
                fmt.label("asset_tag"),
                gettext_noop("At most %(max)s characters."),
                {"max": 40},
            )
        )
    return problems


def infer_kind(source: str, data: dict[str, Any], default: str) -> str:
    """The kind of a new device an MDM reports: a Chromebook from Google, an iPad from Jamf is a
    tablet (a MacBook a laptop), a Windows device from Intune a laptop; else the default."""
    model = str(data.get("model_name", "")).casefold()
    os_text = f"{data.get('os_name', '')} {data.get('os', '')}".casefold()
    if source == GOOGLE:
        return DeviceKind.CHROMEBOOK
    if source == JAMF:
        if "ipad" in model:
            return DeviceKind.TABLET
        if "macbook" in model:
            return DeviceKind.LAPTOP
    if source == INTUNE:
        if "windows" in os_text:
            return DeviceKind.LAPTOP
        if "ipad" in os_text or "ipad" in model:
            return DeviceKind.TABLET
        if "chrome" in os_text:
            return DeviceKind.CHROMEBOOK
    return default


def template_rows(source: str) -> tuple[list[str], list[str]]:
    """The header and one example row of a format's template."""
    fmt = FORMATS[source]
    return [c.label for c in fmt.columns], [c.example for c in fmt.columns]
