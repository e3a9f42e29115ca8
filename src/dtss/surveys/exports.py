"""The results of a run as one report, and the files made from it (CSV, XLSX, PDF).

One builder, several renderers, so that the page and every file publish exactly the same
figures:

* `results_report` reads only through `selectors.run_results` and `selectors.school_breakdown`
  (which apply the suppression rules of suppression.py) and returns plain data with every
  label already translated; a figure the selectors did not publish is never in it;
* `render_csv`, `render_xlsx`, `render_pdf` turn that data into bytes and read no database.

Named runs (forms) also have an "answers by person" table (`named_table`, `render_named_csv`,
`render_named_xlsx`): for the owner's administrators only, never for an anonymous run.

Spreadsheet text never starts a formula (`csv_safe`, text cells in XLSX). The PDF is drawn by
WeasyPrint with Noto Sans CJK TC and fetches nothing (the framework's `pdf_fetcher`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from dtss.framework.reports import csv_safe, pdf_fetcher
from dtss.surveys import selectors
from dtss.surveys.labels import scale_labels
from dtss.surveys.models import TEXT_KINDS, Group, Kind, Run

SCALE = (5, 4, 3, 2, 1)


# --- data ------------------------------------------------------------------------------------


@dataclass
class Segment:
    """One part of a distribution: an answer, how many chose it and their share of the base."""

    value: str
    label: str
    count: int
    percent: float


@dataclass
class CellView:
    group: str
    label: str
    shown: bool
    kind: str
    n: int = 0
    mean: float | None = None
    agree: float | None = None
    na: int = 0
    segments: list[Segment] = field(default_factory=list)
    previous_mean: float | None = None
    change: float | None = None
    texts: list[str] = field(default_factory=list)
    note: str = ""  # why nothing is shown

    @property
    def change_text(self) -> str:
        if self.change is None:
            return ""
        if self.change > 0:
            return f"▲ +{self.change:.2f}"
        if self.change < 0:
            return f"▼ −{abs(self.change):.2f}"
        return "＝ 0.00"

    @property
    def change_direction(self) -> str:
        if self.change is None:
            return ""
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"

    @property
    def distribution_text(self) -> str:
        return "; ".join(f"{s.label}: {s.count}" for s in self.segments)


@dataclass
class StrategyTag:
    code: str
    url: str


@dataclass
class RowView:
    key: str
    kind: str
    kind_label: str
    text: str
    strategies: list[StrategyTag]
    cells: list[CellView]
    gap: float | None
    gap_flag: bool

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def shown_cells(self) -> list[CellView]:
        return [c for c in self.cells if c.shown]

    @property
    def text_cells(self) -> list[CellView]:
        return [c for c in self.cells if c.shown and c.texts]

    @property
    def high(self) -> CellView | None:
        means = [c for c in self.cells if c.shown and c.mean is not None]
        return max(means, key=lambda c: c.mean or 0) if means else None

    @property
    def low(self) -> CellView | None:
        means = [c for c in self.cells if c.shown and c.mean is not None]
        return min(means, key=lambda c: c.mean or 0) if means else None


@dataclass
class GroupLine:
    group: str
    label: str
    respondents: int
    shown: bool
    note: str
    invited: int | None = None
    rate: int | None = None


@dataclass
class SchoolCell:
    group: str
    respondents: int
    shown: bool
    mean: float | None
    note: str


@dataclass
class SchoolLine:
    code: str
    name: str
    cells: list[SchoolCell]


@dataclass
class ResultsReport:
    run: Run
    owner_name: str
    k: int
    groups: list[GroupLine]
    rows: list[RowView]
    blocked: bool
    filter_label: str
    previous_title: str
    breakdown_groups: list[tuple[str, str]]  # (group, label) of the per-school table
    breakdown: list[SchoolLine]
    generated_at: datetime
    generated_by: str
    language: str

    @property
    def title(self) -> str:
        return _("Survey results: %(title)s") % {"title": self.run.title}

    @property
    def figure_rows(self) -> list[RowView]:
        """Every question but the free-text ones (those are listed on their own)."""
        return [r for r in self.rows if not r.is_text]

    @property
    def text_rows(self) -> list[RowView]:
        return [r for r in self.rows if r.is_text and r.text_cells]

    @property
    def gaps(self) -> list[RowView]:
        """SELFIE's signature: the statements on which groups differ most, largest first."""
        flagged = [r for r in self.rows if r.gap_flag]
        return sorted(flagged, key=lambda r: (-(r.gap or 0), r.key))

    @property
    def compares_groups(self) -> bool:
        return len(self.groups) > 1

    @property
    def has_scale(self) -> bool:
        return any(r.kind == Kind.SCALE5 for r in self.rows)

    @property
    def suppressed(self) -> list[GroupLine]:
        return [g for g in self.groups if not g.shown and g.respondents]

    @property
    def blocked_text(self) -> str:
        return _(
            "This filter would make a small group identifiable: fewer than %(k)d would be "
            "left in it or in the rest of the group. No results are shown for it."
        ) % {"k": self.k}


# --- builder ---------------------------------------------------------------------------------


def _small_note(k: int) -> str:
    return _("Fewer than %(k)d answered: not shown") % {"k": k}


def _group_note(n: int, k: int, shown: bool, filtered: bool) -> str:
    if shown:
        return ""
    if n == 0:
        return _("No answers")
    if n < k:
        return _small_note(k)
    if filtered:
        return _("Not shown: with this filter the rest of the group could be worked out")
    return _small_note(k)


def _strategy_tags(codes: list[str]) -> list[StrategyTag]:
    browse = reverse("framework:browse")
    return [StrategyTag(code=c, url=f"{browse}?q={c}#{c.split('.')[0]}") for c in codes]


def _cell_view(cell: Any, label: str, group_shown: bool, k: int) -> CellView:
    view = CellView(group=cell.group, label=label, shown=cell.shown, kind=cell.question.kind)
    if not cell.shown:
        if group_shown:  # (a hidden group's note is the group's, set by the caller)
            view.note = _("Fewer than %(k)d answered this question: not shown") % {"k": k}
        return view
    view.n = cell.n
    view.mean = cell.mean
    view.agree = cell.agree
    view.na = cell.na
    view.previous_mean = cell.previous_mean
    view.change = cell.change
    view.texts = list(cell.texts)
    if cell.question.kind == Kind.SCALE5:
        by_value = {value: count for value, _label, count in cell.counts}
        labels = {value: lab for value, lab, _count in cell.counts}
        base = cell.n - cell.na
        view.segments = [
            Segment(
                value=str(v),
                label=labels.get(str(v), str(v)),
                count=by_value.get(str(v), 0),
                percent=round(100 * by_value.get(str(v), 0) / base, 1) if base else 0.0,
            )
            for v in SCALE
        ]
    else:
        view.segments = [
            Segment(
                value=value,
                label=lab,
                count=count,
                percent=round(100 * count / cell.n, 1) if cell.n else 0.0,
            )
            for value, lab, count in cell.counts
        ]
    return view


def _owner_name(run: Run) -> str:
    return run.school.name if run.school_id else run.county.name


def results_report(
    *,
    run: Run,
    user: Any = None,
    school: Any = None,
    school_class: Any = None,
    language: str | None = None,
) -> ResultsReport:
    """The published results of `run` (optionally for one school of a county run or one class
    of a school run). The caller has checked `selectors.may_read_results`."""
    from dtss.framework.reports import person_name

    language = language or get_language() or ""
    res = selectors.run_results(
        run=run,
        school_id=school.pk if school is not None else None,
        class_id=school_class.pk if school_class is not None else None,
        language=language,
    )
    labels = {g: str(lab) for g, lab in Group.choices}
    filtered = school is not None or school_class is not None
    invited: dict[str, int] = {}
    if not filtered:
        for line in selectors.run_progress(run=run):
            invited[line["group"]] = invited.get(line["group"], 0) + line["invited"]
    groups = []
    for g in res.groups:
        n_inv = invited.get(g.group)
        groups.append(
            GroupLine(
                group=g.group,
                label=labels.get(g.group, g.group),
                respondents=g.respondents,
                shown=g.shown,
                note=_group_note(g.respondents, res.k, g.shown, filtered),
                invited=n_inv or None,
                rate=round(100 * g.respondents / n_inv) if n_inv else None,
            )
        )
    group_notes = {g.group: g for g in groups}
    order = [g.group for g in res.groups]
    kinds = {k: str(lab) for k, lab in Kind.choices}
    rows = []
    for row in res.rows:
        cells = []
        for group in order:
            cell = row.cells.get(group)
            if cell is None:
                continue
            line = group_notes[group]
            view = _cell_view(cell, line.label, line.shown, res.k)
            if not line.shown:
                view.note = line.note
            cells.append(view)
        rows.append(
            RowView(
                key=row.key,
                kind=row.kind,
                kind_label=kinds.get(row.kind, row.kind),
                text=row.text,
                strategies=_strategy_tags(row.strategies),
                cells=cells,
                gap=row.gap,
                gap_flag=row.gap_flag,
            )
        )
    breakdown_groups: list[tuple[str, str]] = []
    breakdown: list[SchoolLine] = []
    if run.school_id is None and not filtered:
        per_school = selectors.school_breakdown(run=run, language=language)
        present = {g for line in per_school for g in line["groups"]}
        breakdown_groups = [(g, labels.get(g, g)) for g in order if g in present]
        for line in per_school:
            cells = []
            for group, _label in breakdown_groups:
                data = line["groups"].get(group, {"respondents": 0, "shown": False, "mean": None})
                n = data["respondents"]
                note = ""
                if not data["shown"]:
                    if n == 0:
                        note = _("No answers")
                    elif n < res.k:
                        note = _small_note(res.k)
                    else:
                        note = _("Not shown, so that the smaller schools cannot be worked out")
                cells.append(SchoolCell(group, n, data["shown"], data["mean"], note))
            breakdown.append(SchoolLine(line["school"].code, line["school"].name, cells))
    parts = []
    if school is not None:
        parts.append(str(school.name))
    if school_class is not None:
        parts.append(str(school_class))
    return ResultsReport(
        run=run,
        owner_name=_owner_name(run),
        k=res.k,
        groups=groups,
        rows=rows,
        blocked=res.blocked,
        filter_label=" · ".join(parts),
        previous_title=res.previous.title if res.previous is not None else "",
        breakdown_groups=breakdown_groups,
        breakdown=breakdown,
        generated_at=timezone.localtime(),
        generated_by=person_name(user) if user is not None else "",
        language=language,
    )


# --- CSV and XLSX of the results ---------------------------------------------------------------


def table_headers(language: str = "") -> list[str]:
    scale = scale_labels(language)
    return [
        _("Statement"),
        _("Kind"),
        _("Strategies"),
        _("Respondent group"),
        _("Answers"),
        _("Mean (1–5)"),
        _("Share agreeing"),
        _("N/A"),
        *(f"{v} {scale[v]}" for v in SCALE),
        _("Distribution"),
        _("Previous mean"),
        pgettext("since the previous run", "Change"),
        _("Gap between groups"),
        _("Note"),
    ]


def table_rows(report: ResultsReport) -> list[list[Any]]:
    """One line per statement and group, figures only where they are published."""
    out: list[list[Any]] = []
    if report.blocked:
        return out
    for row in report.figure_rows:
        for c in row.cells:
            scale = {s.value: s.count for s in c.segments} if c.kind == Kind.SCALE5 else {}
            out.append(
                [
                    row.text,
                    row.kind_label,
                    ", ".join(s.code for s in row.strategies),
                    c.label,
                    c.n if c.shown else None,
                    c.mean if c.shown else None,
                    c.agree if c.shown else None,
                    c.na if c.shown and c.kind == Kind.SCALE5 else None,
                    *((scale.get(str(v)) if c.shown else None) for v in SCALE),
                    c.distribution_text if c.shown and c.kind != Kind.SCALE5 else "",
                    c.previous_mean if c.shown else None,
                    c.change if c.shown else None,
                    row.gap,
                    c.note,
                ]
            )
    return out


def _csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else csv_safe(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render_csv(report: ResultsReport) -> bytes:
    rows = table_rows(report)
    if report.blocked:
        width = len(table_headers(report.language))
        rows = [["" for _i in range(width - 1)] + [report.blocked_text]]
    return _csv(table_headers(report.language), rows)


def _put(ws: Any, row: int, col: int, value: Any) -> Any:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, never a formula
    return cell


def _sheet_table(ws: Any, first: int, headers: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8EEF4")
    for c, h in enumerate(headers, start=1):
        cell = _put(ws, first, c, h)
        cell.font, cell.fill = bold, fill
    for r, values in enumerate(rows, start=first + 1):
        for c, v in enumerate(values, start=1):
            _put(ws, r, c, v)
    ws.freeze_panes = ws.cell(row=first + 1, column=1)
    if rows:
        ws.auto_filter.ref = f"A{first}:{get_column_letter(len(headers))}{first + len(rows)}"


def _widths(ws: Any, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _heading(ws: Any, lines: list[str]) -> int:
    from openpyxl.styles import Font

    for i, line in enumerate(lines, start=1):
        cell = _put(ws, i, 1, line)
        if i == 1:
            cell.font = Font(bold=True, size=14)
    return len(lines) + 2


def _meta_lines(report: ResultsReport) -> list[str]:
    lines = [
        report.title,
        f"{_('Owner')}: {report.owner_name}",
        _("Results of groups with fewer than %(k)d respondents are not shown.") % {"k": report.k},
    ]
    if report.filter_label:
        lines.append(f"{_('Filter')}: {report.filter_label}")
    if report.previous_title:
        lines.append(f"{_('Compared with')}: {report.previous_title}")
    if report.blocked:
        lines.append(report.blocked_text)
    lines.append(
        _("Generated %(at)s by %(by)s")
        % {"at": report.generated_at.strftime("%Y-%m-%d %H:%M"), "by": report.generated_by}
    )
    return lines


def respondents_headers() -> list[str]:
    return [_("Respondent group"), _("Respondents"), _("Invited"), _("Response rate"), _("Note")]


def respondents_rows(report: ResultsReport) -> list[list[Any]]:
    return [
        [
            g.label,
            g.respondents,
            g.invited,
            (g.rate / 100) if g.rate is not None else None,
            g.note or _("Shown"),
        ]
        for g in report.groups
    ]


def texts_rows(report: ResultsReport) -> list[list[Any]]:
    """Free-text answers of the groups whose results are shown, sorted (as the selector
    returns them): the order says nothing about who answered when."""
    if report.blocked:
        return []
    return [
        [row.text, c.label, text]
        for row in report.text_rows
        for c in row.text_cells
        for text in c.texts
    ]


def render_xlsx(report: ResultsReport) -> bytes:
    """Sheets: Results (the table), Free-text answers, Respondents, and for a county run
    Schools (respondents and mean agreement per school)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("Results")
    first = _heading(ws, _meta_lines(report))
    rows = table_rows(report)
    _sheet_table(ws, first, table_headers(report.language), rows)
    for r in range(first + 1, first + 1 + len(rows)):
        ws.cell(row=r, column=6).number_format = "0.00"
        ws.cell(row=r, column=7).number_format = "0.0"
    _widths(ws, [50, 12, 16, 14, 8, 10, 8, 6, 8, 8, 8, 8, 8, 30, 10, 8, 10, 30])

    ws = wb.create_sheet(_("Free-text answers"))
    _sheet_table(ws, 1, [_("Question"), _("Respondent group"), _("Answer")], texts_rows(report))
    _widths(ws, [50, 14, 80])

    ws = wb.create_sheet(_("Respondents"))
    first = _heading(ws, _meta_lines(report)[:3])
    rows = respondents_rows(report)
    _sheet_table(ws, first, respondents_headers(), rows)
    for r in range(first + 1, first + 1 + len(rows)):
        ws.cell(row=r, column=4).number_format = "0%"
    _widths(ws, [18, 12, 10, 12, 50])

    if report.breakdown:
        ws = wb.create_sheet(_("Schools"))
        headers = [_("School code"), _("School")]
        for _g, label in report.breakdown_groups:
            headers += [f"{label} · {_('Respondents')}", f"{label} · {_('Mean (1–5)')}"]
        _sheet_table(
            ws,
            1,
            headers,
            [
                [
                    line.code,
                    line.name,
                    *(
                        v
                        for c in line.cells
                        for v in (c.respondents, c.mean if c.shown else (c.note or None))
                    ),
                ]
                for line in report.breakdown
            ],
        )
        _widths(ws, [10, 30] + [14] * (2 * len(report.breakdown_groups)))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def render_html(report: ResultsReport) -> str:
    """The HTML that WeasyPrint draws (also what the tests read when checking the PDF)."""
    return render_to_string("surveys/results/pdf.html", {"r": report})


def render_pdf(report: ResultsReport) -> bytes:
    from weasyprint import HTML

    return HTML(
        string=render_html(report), url_fetcher=pdf_fetcher(), media_type="print"
    ).write_pdf()


# --- named runs: answers by person --------------------------------------------------------------


@dataclass
class NamedPart:
    group: str
    label: str
    questions: list[Any]  # Question, in the questionnaire's order
    rows: list[dict[str, Any]]  # person, about, class, answered_at, values (by code)


def _display(question: Any, value: Any, language: str) -> str:
    if value is None or value == "" or value == []:
        return ""
    if question.kind == Kind.SCALE5:
        labels = scale_labels(language)
        try:
            return f"{int(value)} {labels[int(value)]}" if int(value) else labels[0]
        except (TypeError, ValueError, KeyError):
            return str(value)
    if question.kind == Kind.SINGLE:
        return question.option_label(str(value), language)
    if question.kind == Kind.MULTIPLE:
        values = value if isinstance(value, list) else [value]
        return "、".join(question.option_label(str(v), language) for v in values)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def named_table(*, run: Run, language: str | None = None) -> list[NamedPart]:
    """Answers by person of a named run, per respondent group. ValueError for an anonymous
    run (the selector refuses it)."""
    language = language or get_language() or ""
    labels = {g: str(lab) for g, lab in Group.choices}
    pairs = selectors.named_answers(run=run)
    parts = []
    for part in run.parts.select_related("questionnaire").order_by("id"):
        questions = list(
            part.questionnaire.questions.select_related("section").order_by(
                "section__order", "section_id", "order", "id"
            )
        )
        rows = []
        for inv, answers in pairs:
            if inv.part_id != part.pk:
                continue
            rows.append(
                {
                    "invitation": inv,
                    "person": inv.person.name,
                    "about": inv.about.name if inv.about_id else "",
                    "school_class": str(inv.school_class) if inv.school_class_id else "",
                    "answered_at": timezone.localtime(inv.answered_at) if inv.answered_at else None,
                    "values": [_display(q, answers.get(q.code), language) for q in questions],
                }
            )
        parts.append(NamedPart(part.group, labels.get(part.group, part.group), questions, rows))
    return parts


def named_headers(part: NamedPart, language: str = "") -> list[str]:
    return [
        _("Class"),
        pgettext("person", "Name"),
        _("About (child)"),
        _("Answered at"),
        *(f"{q.code} {q.text(language)}" for q in part.questions),
    ]


def named_rows(part: NamedPart) -> list[list[Any]]:
    return [
        [
            row["school_class"],
            row["person"],
            row["about"],
            row["answered_at"].strftime("%Y-%m-%d %H:%M") if row["answered_at"] else _("Pending"),
            *row["values"],
        ]
        for row in part.rows
    ]


def render_named_csv(parts: list[NamedPart], language: str = "") -> bytes:
    """One table; with several groups, a group column first."""
    several = len(parts) > 1
    headers: list[str] = []
    rows: list[list[Any]] = []
    for part in parts:
        h = named_headers(part, language)
        if len(h) > len(headers):
            headers = h
        for row in named_rows(part):
            rows.append(([part.label] if several else []) + row)
    if several:
        headers = [_("Respondent group"), *headers]
    return _csv(headers, rows)


def render_named_xlsx(parts: list[NamedPart], title: str, language: str = "") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for part in parts:
        ws = wb.create_sheet(part.label[:31])
        first = _heading(ws, [title, part.label])
        _sheet_table(ws, first, named_headers(part, language), named_rows(part))
        _widths(ws, [10, 14, 14, 17] + [24] * len(part.questions))
    if not parts:
        wb.create_sheet(_("Answers"))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
