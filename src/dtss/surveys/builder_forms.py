"""Forms of the questionnaire builder. They check the shape of the input (option lines, skip-logic
rows, numbers); the services check the rules again before saving (who may write, strategy IDs,
skip logic against the whole questionnaire, a locked questionnaire)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, override, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dtss.surveys import logic
from dtss.surveys.labels import scale_labels
from dtss.surveys.models import CHOICE_KINDS, Group, Kind, Question, Questionnaire

ROW = re.compile(r"^c(\d+)_")
TEXTAREA = forms.Textarea(attrs={"rows": 3})

# Respondent groups the built-in bank is written for (and a county's own staff).
BANK_GROUPS = [(g.value, g.label) for g in Group if g != Group.OTHERS]

OP_LABELS = {
    "answered": pgettext_lazy("skip logic", "is answered"),
    "not_answered": pgettext_lazy("skip logic", "is not answered"),
    "eq": pgettext_lazy("skip logic", "is"),
    "ne": pgettext_lazy("skip logic", "is not"),
    "in": pgettext_lazy("skip logic", "is one of"),
    "not_in": pgettext_lazy("skip logic", "is none of"),
    "gte": pgettext_lazy("skip logic", "is at least"),
    "lte": pgettext_lazy("skip logic", "is at most"),
}
OP_SYMBOLS = {"eq": "=", "ne": "≠", "gte": "≥", "lte": "≤"}


# --- option lines ------------------------------------------------------------------------------


def parse_options(text: str) -> list[dict[str, str]]:
    """Option lines `value | 中文 | English` → [{value, zh, en}]. A line of one part is the
    Chinese text (its value is its number), two parts are `value | 中文`. Every bad line is
    reported with its number."""
    errors: list[str] = []
    out: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 3:
            errors.append(
                gettext("Line %(n)d: use at most three parts: value | 中文 | English.")
                % {"n": lineno}
            )
            continue
        value, zh, en = {1: ("", parts[0], ""), 2: (*parts, ""), 3: tuple(parts)}[len(parts)]
        value = value or str(len(out) + 1)
        if not zh:
            errors.append(gettext("Line %(n)d: the Chinese text is missing.") % {"n": lineno})
        if len(value) > 40:
            errors.append(
                gettext("Line %(n)d: the value is longer than 40 characters.") % {"n": lineno}
            )
        if value in seen:
            errors.append(
                gettext("Line %(n)d: the value “%(value)s” is already used on line %(other)d.")
                % {"n": lineno, "value": value, "other": seen[value]}
            )
        seen.setdefault(value, lineno)
        out.append({"value": value, "zh": zh, "en": en})
    if not errors and len(out) < 2:
        errors.append(gettext("Give at least two options, one per line."))
    if errors:
        raise ValidationError(errors)
    return out


def options_to_text(options: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for o in options:
        parts = [str(o.get("value", "")), str(o.get("zh", ""))]
        if o.get("en"):
            parts.append(str(o["en"]))
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def option_label(option: Mapping[str, Any], language: str) -> str:
    if language.startswith("en") and option.get("en"):
        return str(option["en"])
    return str(option.get("zh") or option.get("value"))


# --- describing skip logic ---------------------------------------------------------------------


def _value_label(question: Question | None, value: Any, language: str) -> str:
    if question is not None and question.kind in CHOICE_KINDS:
        return question.option_label(str(value), language)
    if question is not None and question.kind == Kind.SCALE5:
        try:
            return f"{int(value)} {scale_labels(language)[int(value)]}"
        except (TypeError, ValueError, KeyError):
            return str(value)
    return str(value)


def describe_condition(
    condition: Mapping[str, Any], questions: Mapping[str, Question], language: str
) -> str:
    """One condition for people: "Q2 = 沒有", "Q1 ≥ 4 同意", "Q3 is answered"."""
    code = str(condition.get("q", ""))
    op = str(condition.get("op", ""))
    question = questions.get(code)
    value = condition.get("value")
    with override(language or None):
        label = str(OP_LABELS.get(op, op))
    if op in ("answered", "not_answered"):
        return f"{code} {label}"
    if op in ("in", "not_in"):
        values = value if isinstance(value, list) else [value]
        labels = "、".join(_value_label(question, v, language) for v in values)
        return f"{code} {label} {labels}"
    symbol = OP_SYMBOLS.get(op, op)
    return f"{code} {symbol} {_value_label(question, value, language)}"


# --- the skip-logic rows -----------------------------------------------------------------------


class BuilderForm(forms.Form):
    def main_fields(self) -> list[forms.BoundField]:
        """The fields shown in the field grid (not the skip-logic rows)."""
        return [
            self[name]
            for name in self.fields
            if not ROW.match(name) and not self.fields[name].widget.is_hidden
        ]


class LogicForm(BuilderForm):
    """A form with skip-logic rows "show only if [earlier question] [operator] [value]".

    Each row has four fields: `c<i>_q`, `c<i>_op`, `c<i>_value` (typed: numbers, text, or
    comma-separated values for "is one of") and `c<i>_choice` (the options of the earlier choice
    and scale questions, one group per question). A row without a question is dropped.
    `cleaned_data["show_if"]` is the list of conditions; the service's own skip-logic errors
    are put on the hidden `show_if` field and shown above the rows."""

    show_if = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        earlier: Sequence[Question] = (),
        conditions: Sequence[Mapping[str, Any]] = (),
        language: str = "",
        extra: int = 2,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        self.earlier = {q.code: q for q in earlier}
        self.row_count = len(conditions) + extra if earlier else 0
        truncate = 40
        q_choices = [("", "—")] + [
            (q.code, f"{q.code} {Truncator(q.text(language)).chars(truncate)}") for q in earlier
        ]
        self.choice_groups: list[tuple[str, list[tuple[str, str]]]] = []
        for q in earlier:
            if q.kind in CHOICE_KINDS:
                opts = [(f"{q.code}={o['value']}", option_label(o, language)) for o in q.options]
            elif q.kind == Kind.SCALE5:
                labels = scale_labels(language)
                opts = [(f"{q.code}={n}", f"{n} {labels[n]}") for n in (5, 4, 3, 2, 1, 0)]
            else:
                continue
            self.choice_groups.append((f"{q.code} {Truncator(q.text(language)).chars(20)}", opts))
        ops = [(op, OP_LABELS[op]) for op in logic.OPS]
        for i in range(self.row_count):
            initial = self._row_initial(conditions[i]) if i < len(conditions) else {}
            self.fields[f"c{i}_q"] = forms.ChoiceField(
                label=_("Question"),
                choices=q_choices,
                required=False,
                initial=initial.get("q", ""),
                error_messages={"invalid_choice": _("Only an earlier question can be used.")},
            )
            self.fields[f"c{i}_op"] = forms.ChoiceField(
                label=_("Condition"), choices=ops, required=False, initial=initial.get("op", "eq")
            )
            self.fields[f"c{i}_choice"] = forms.MultipleChoiceField(
                label=_("Option"),
                choices=self.choice_groups,
                required=False,
                initial=initial.get("choice", []),
                widget=forms.SelectMultiple(attrs={"size": 4}),
                error_messages={"invalid_choice": _("Choose one of the options listed.")},
            )
            self.fields[f"c{i}_value"] = forms.CharField(
                label=_("Value"),
                required=False,
                max_length=200,
                initial=initial.get("value", ""),
            )

    def _row_initial(self, cond: Mapping[str, Any]) -> dict[str, Any]:
        code = str(cond.get("q", ""))
        value = cond.get("value")
        values = value if isinstance(value, list) else ([] if value is None else [value])
        q = self.earlier.get(code)
        row: dict[str, Any] = {"q": code, "op": cond.get("op", "eq")}
        if q is not None and (q.kind in CHOICE_KINDS or q.kind == Kind.SCALE5):
            row["choice"] = [f"{code}={v}" for v in values]
        else:
            row["value"] = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)
        return row

    def condition_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "n": i + 1,
                "q": self[f"c{i}_q"],
                "op": self[f"c{i}_op"],
                "choice": self[f"c{i}_choice"],
                "value": self[f"c{i}_value"],
            }
            for i in range(self.row_count)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        conditions = []
        for i in range(self.row_count):
            condition = self._clean_row(i, data)
            if condition is not None:
                conditions.append(condition)
        data["show_if"] = conditions
        return data

    def _clean_row(self, i: int, data: dict[str, Any]) -> dict[str, Any] | None:
        code = data.get(f"c{i}_q")
        if not code or f"c{i}_q" in self.errors:
            return None
        q = self.earlier[code]
        op = data.get(f"c{i}_op")
        if not op:
            self.add_error(f"c{i}_op", gettext("Choose a condition."))
            return None
        if op in ("answered", "not_answered"):
            return {"q": code, "op": op}
        picked = data.get(f"c{i}_choice") or []
        foreign = [p for p in picked if p.split("=", 1)[0] != code]
        if foreign:
            self.add_error(
                f"c{i}_choice",
                gettext("These options belong to another question; choose options of %(code)s.")
                % {"code": code},
            )
            return None
        if picked:
            field, values = f"c{i}_choice", [p.split("=", 1)[1] for p in picked]
        else:
            field, text = f"c{i}_value", (data.get(f"c{i}_value") or "").strip()
            if op in ("in", "not_in"):
                values = [v.strip() for v in text.replace("，", ",").split(",") if v.strip()]
            else:
                values = [text] if text else []
        choice_like = q.kind in CHOICE_KINDS or q.kind == Kind.SCALE5
        if not values:
            self.add_error(
                f"c{i}_choice" if choice_like else field, gettext("Give the value to compare with.")
            )
            return None
        if op not in ("in", "not_in") and len(values) != 1:
            self.add_error(field, gettext("Choose one value for this condition."))
            return None
        if op in ("gte", "lte") and q.kind not in (Kind.NUMBER, Kind.SCALE5):
            self.add_error(
                f"c{i}_op", gettext("“At least” and “at most” need a number or scale question.")
            )
            return None
        cleaned: list[Any] = []
        for v in values:
            try:
                cleaned.append(self._typed(q, v))
            except ValueError as exc:
                self.add_error(field, str(exc))
                return None
        return {"q": code, "op": op, "value": cleaned if op in ("in", "not_in") else cleaned[0]}

    @staticmethod
    def _typed(q: Question, value: str) -> Any:
        if q.kind in CHOICE_KINDS:
            if value not in {str(o.get("value")) for o in q.options}:
                raise ValueError(
                    gettext("“%(value)s” is not an option of %(code)s.")
                    % {"value": value, "code": q.code}
                )
            return value
        if q.kind == Kind.SCALE5:
            if value not in {"0", "1", "2", "3", "4", "5"}:
                raise ValueError(gettext("On the scale, use 1 to 5 (0 for not applicable)."))
            return int(value)
        if q.kind == Kind.NUMBER:
            try:
                n = float(value.replace(",", ""))
            except ValueError:
                raise ValueError(gettext("Enter a number.")) from None
            if not math.isfinite(n):
                raise ValueError(gettext("Enter a number."))
            return int(n) if n.is_integer() else n
        return value


# --- questionnaires ----------------------------------------------------------------------------


class OwnerChoiceMixin:
    """An `owner` field: the county (for its administrators) or a school (for its own)."""

    fields: dict[str, forms.Field]

    def _set_owners(self, owners: Sequence[tuple[str, str, Any, Any]]) -> None:
        self.owners = {value: (county, school) for value, _label, county, school in owners}
        field = self.fields["owner"]
        field.choices = [(value, label) for value, label, *_rest in owners]  # type: ignore[attr-defined]
        if len(owners) == 1:
            field.initial = owners[0][0]


class QuestionnaireForm(OwnerChoiceMixin, BuilderForm):
    owner = forms.ChoiceField(
        label=pgettext_lazy("questionnaire", "Owner"), help_text=_("Your school, or the county.")
    )
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    intro_zh = forms.CharField(label=_("Introduction (Chinese)"), required=False, widget=TEXTAREA)
    intro_en = forms.CharField(label=_("Introduction (English)"), required=False, widget=TEXTAREA)
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=Questionnaire.Purpose.choices,
        initial=Questionnaire.Purpose.SURVEY,
    )
    group = forms.ChoiceField(
        label=_("Respondent group"), choices=Group.choices, initial=Group.TEACHERS
    )

    def __init__(
        self, *args: Any, owners: Sequence[tuple[str, str, Any, Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]  # editing: the owner never changes
        else:
            self._set_owners(owners)

    def lock(self) -> None:
        """A questionnaire with answers keeps its purpose and group."""
        for name in ("purpose", "group"):
            self.fields[name].disabled = True
            self.fields[name].help_text = _("Fixed: the questionnaire already has answers.")


class FromBankForm(OwnerChoiceMixin, BuilderForm):
    owner = forms.ChoiceField(
        label=pgettext_lazy("questionnaire", "Owner"), help_text=_("Your school, or the county.")
    )
    group = forms.ChoiceField(
        label=_("Respondent group"), choices=BANK_GROUPS, initial=Group.TEACHERS
    )
    primary = forms.BooleanField(
        label=_("Wording for primary pupils"),
        required=False,
        help_text=_("Students only: the simpler questions written for 國小 pupils."),
    )
    items = forms.MultipleChoiceField(
        label=_("Items"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one item.")},
        help_text=_("One section per item, with the bank's questions for this group."),
    )
    title_zh = forms.CharField(
        label=_("Title (Chinese)"), max_length=200, help_text=_("e.g. 114 學年度教師數位學習問卷")
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        owners: Sequence[tuple[str, str, Any, Any]],
        items: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._set_owners(owners)
        self.fields["items"].choices = items  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("group") != Group.STUDENTS:
            data["primary"] = False  # the simpler wording exists for pupils only
        return data


class SectionForm(LogicForm):
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    intro_zh = forms.CharField(label=_("Introduction (Chinese)"), required=False, widget=TEXTAREA)
    intro_en = forms.CharField(label=_("Introduction (English)"), required=False, widget=TEXTAREA)

    field_order = ["title_zh", "title_en", "intro_zh", "intro_en"]


class QuestionForm(LogicForm):
    kind = forms.ChoiceField(
        label=pgettext_lazy("question", "Kind"), choices=Kind.choices, initial=Kind.SCALE5
    )
    text_zh = forms.CharField(label=_("Question (Chinese)"), widget=forms.Textarea({"rows": 2}))
    text_en = forms.CharField(
        label=_("Question (English)"), required=False, widget=forms.Textarea({"rows": 2})
    )
    help_zh = forms.CharField(label=_("Help (Chinese)"), max_length=300, required=False)
    help_en = forms.CharField(label=_("Help (English)"), max_length=300, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea({"rows": 5, "spellcheck": "false"}),
        help_text=_(
            "Single and multiple choice: one option per line, "
            "<code>value | 中文 | English</code>, e.g. <code>no | 沒有 | No</code>. "
            "The value and the English text may be left out."
        ),
    )
    min_value = forms.FloatField(label=_("Minimum"), required=False)
    max_value = forms.FloatField(label=_("Maximum"), required=False)
    strategies = forms.CharField(
        label=_("Strategy IDs"),
        required=False,
        max_length=300,
        help_text=_("Comma-separated, e.g. S2.D4, S1.M1: the strategies the answers evidence."),
    )
    pair = forms.CharField(
        label=_("Comparison key"),
        required=False,
        max_length=40,
        help_text=_("Questions with the same key are compared across respondent groups."),
    )
    section = forms.ChoiceField(label=_("Section"), required=False)

    def __init__(
        self, *args: Any, sections: Sequence[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if sections is None or len(sections) < 2:
            del self.fields["section"]
        else:
            self.fields["section"].choices = sections  # type: ignore[attr-defined]
            self.fields["section"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind in CHOICE_KINDS:
            try:
                data["options"] = parse_options(data.get("options") or "")
            except ValidationError as exc:
                self.add_error("options", exc)
        else:
            data["options"] = []
        if kind != Kind.NUMBER:
            data["min_value"] = data["max_value"] = None
        return data

    def service_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "text_zh": d["text_zh"],
            "text_en": d.get("text_en") or "",
            "help_zh": d.get("help_zh") or "",
            "help_en": d.get("help_en") or "",
            "required": bool(d.get("required")),
            "options": d["options"],
            "min_value": d.get("min_value"),
            "max_value": d.get("max_value"),
            "strategies": d.get("strategies") or "",
            "pair": d.get("pair") or "",
            "show_if": d["show_if"],
        }


class SectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        language = get_language() or ""
        title = obj.title_en if language.startswith("en") and obj.title_en else obj.title_zh
        n = getattr(self, "positions", {}).get(obj.pk, obj.order)
        label = gettext("Section %(n)d") % {"n": n}
        return f"{label}: {title}" if title else label


class AddFromBankForm(forms.Form):
    section = SectionChoiceField(
        label=_("Add to section"), queryset=None, to_field_name="public_id", empty_label=None
    )
    bank = forms.ModelMultipleChoiceField(
        label=_("Questions"),
        queryset=None,
        to_field_name="public_id",
        error_messages={
            "required": _("Tick the questions to add."),
            "invalid_choice": _("A chosen question is not in the bank you can use."),
            "invalid_pk_value": _("A chosen question is not in the bank you can use."),
        },
    )

    def __init__(self, *args: Any, sections: Any, bank: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["section"]
        field.queryset = sections  # type: ignore[attr-defined]
        field.positions = {s.pk: n for n, s in enumerate(sections, start=1)}  # type: ignore[attr-defined]
        self.fields["bank"].queryset = bank  # type: ignore[attr-defined]


class BankQuestionForm(OwnerChoiceMixin, BuilderForm):
    owner = forms.ChoiceField(
        label=pgettext_lazy("questionnaire", "Owner"),
        help_text=_("Whose bank: your school's, or the county's."),
    )
    group = forms.ChoiceField(label=_("Respondent group"), choices=BANK_GROUPS)
    item = forms.ChoiceField(label=_("Item"), required=False)
    kind = forms.ChoiceField(
        label=pgettext_lazy("question", "Kind"), choices=Kind.choices, initial=Kind.SCALE5
    )
    text_zh = forms.CharField(label=_("Question (Chinese)"), widget=forms.Textarea({"rows": 2}))
    text_en = forms.CharField(
        label=_("Question (English)"), required=False, widget=forms.Textarea({"rows": 2})
    )
    help_zh = forms.CharField(label=_("Help (Chinese)"), max_length=300, required=False)
    help_en = forms.CharField(label=_("Help (English)"), max_length=300, required=False)
    options = QuestionForm.base_fields["options"]
    min_value = forms.FloatField(label=_("Minimum"), required=False)
    max_value = forms.FloatField(label=_("Maximum"), required=False)
    strategies = QuestionForm.base_fields["strategies"]
    pair = QuestionForm.base_fields["pair"]

    def __init__(
        self,
        *args: Any,
        owners: Sequence[tuple[str, str, Any, Any]],
        items: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._set_owners(owners)
        self.fields["item"].choices = [("", "—"), *items]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") in CHOICE_KINDS:
            try:
                data["options"] = parse_options(data.get("options") or "")
            except ValidationError as exc:
                self.add_error("options", exc)
        else:
            data["options"] = []
        if data.get("kind") != Kind.NUMBER:
            data["min_value"] = data["max_value"] = None
        return data
