"""Class forms (調查表) through the survey engine's named mode: send one to a class's parents
or students, remind those who have not answered, close it.

The survey services skip their own manager check when called with `actor=None`; every
function here checks `access.may_write_class` (the homeroom teacher, the school's
administrators) first, and audits with the user as the actor.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.homeschool import access
from dtss.homeschool.models import Notification
from dtss.homeschool.services import link, notify

GROUPS = ("parents", "students")
MIN_INTERVAL = dt.timedelta(hours=20)


def form_classes(run: Any) -> list[Any]:
    return list(run.classes.select_related("school", "homeroom_teacher"))


def may_manage_form(user: Any, run: Any) -> bool:
    """A named run limited to classes the user writes for (homeroom teacher, school admins)."""
    from dtss.surveys.models import Run

    if run.mode != Run.Mode.NAMED:
        return False
    classes = form_classes(run)
    return bool(classes) and all(access.may_write_class(user, c) for c in classes)


def _require(user: Any, run: Any) -> None:
    if not may_manage_form(user, run):
        raise PermissionDenied(_("Only the class's homeroom teacher and the school may do this."))


def form_questionnaires(*, school: Any) -> Any:
    """Questionnaires a class of this school may send: the school's and its county's (not
    archived, with questions), forms first."""
    from django.db.models import Case, IntegerField, Value, When

    from dtss.surveys.models import Questionnaire

    return (
        Questionnaire.objects.filter(county_id=school.county_id, archived=False)
        .filter(Q(school__isnull=True) | Q(school=school))
        .filter(questions__isnull=False)
        .distinct()
        .annotate(
            form_first=Case(
                When(purpose=Questionnaire.Purpose.FORM, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("form_first", "title_zh", "id")
    )


def _invitation_link(inv: Any) -> str:
    return link("surveys:answer_invitation", inv.public_id) or link("surveys:my_surveys")


def _notify_invitees(run: Any, invitations: list[Any], *, title: str, body: str) -> int:
    """One notification per person: the answer page of their invitation (or my surveys when
    they have several, e.g. a parent of two children in the class)."""
    by_person: dict[int, list[Any]] = defaultdict(list)
    for inv in invitations:
        by_person[inv.person_id].append(inv)
    rows = []
    for invs in by_person.values():
        about = "、".join(i.about.name for i in invs if i.about_id)
        url = _invitation_link(invs[0]) if len(invs) == 1 else link("surveys:my_surveys")
        rows += notify(
            recipients=[invs[0].person],
            kind=Notification.Kind.FORM,
            title=title,
            body=f"{body}（{about}）" if about else body,
            url=url,
            county_id=run.county_id,
            school_id=run.school_id,
        )
    return len(rows)


@transaction.atomic
def form_send(
    *,
    user: Any,
    school_class: Any,
    questionnaire: Any,
    group: str,
    title: str,
    closes_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Any:
    """Send a form to the parents (one invitation per child) or the students of one class: a
    named survey run limited to the class, opened now; every invitee is notified."""
    from dtss.surveys import services as survey_services

    if not access.may_write_class(user, school_class):
        raise PermissionDenied(_("Only the class's homeroom teacher and the school send forms."))
    now = now or timezone.now()
    school = school_class.school
    errors: dict[str, str] = {}
    if group not in GROUPS:
        errors["group"] = _("Choose parents or students.")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the form a title.")
    elif len(title) > 200:
        errors["title"] = _("At most %(n)d characters.") % {"n": 200}
    if closes_at is None or closes_at <= now:
        errors["closes_at"] = _("The closing time must be in the future.")
    elif closes_at > now + dt.timedelta(days=366):
        errors["closes_at"] = _("A form closes within a year.")
    if (
        questionnaire is None
        or not form_questionnaires(school=school).filter(pk=questionnaire.pk).exists()
    ):
        errors["questionnaire"] = _(
            "Choose a questionnaire of the school or its county that has questions."
        )
    if errors:
        raise ValidationError(errors)
    run = survey_services.run_create(
        actor=None,
        county=school.county,
        school=school,
        title=title,
        mode="named",
        opens_at=now,
        closes_at=closes_at,
        parts={group: questionnaire},
        classes=[school_class],
    )
    run.created_by = user
    run.save(update_fields=["created_by", "updated_at"])
    survey_services.run_open(run=run, actor=None)
    invitations = list(run.invitations.select_related("person", "about"))
    closes = f"{timezone.localtime(closes_at):%m/%d %H:%M}"
    sent = _notify_invitees(
        run,
        invitations,
        title=_("Form to fill in: %(title)s") % {"title": title},
        body=_("%(cls)s · please answer before %(closes)s")
        % {"cls": str(school_class), "closes": closes},
    )
    audit_record(
        actor=user,
        action="homeschool.form_send",
        obj=run,
        detail={
            "class": str(school_class.public_id),
            "group": group,
            "questionnaire": str(questionnaire.public_id),
            "invited": len(invitations),
            "notified": sent,
        },
    )
    return run


@transaction.atomic
def form_remind(*, user: Any, run: Any, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind everyone who has not answered (each at most once per 20 hours): an email from
    the survey engine and a notification in the app. Returns {"sent", "no_email", "skipped",
    "notified"}."""
    from dtss.surveys import services as survey_services

    _require(user, run)
    now = now or timezone.now()
    due = [
        inv
        for inv in run.invitations.filter(answered_at__isnull=True).select_related(
            "person", "about"
        )
        if not (inv.reminded_at and now - inv.reminded_at < MIN_INTERVAL)
    ]
    counts = survey_services.invitations_remind(
        run=run, actor=None, now=now, min_interval=MIN_INTERVAL
    )
    rows = []
    if due:
        closes = f"{timezone.localtime(run.closes_at):%m/%d %H:%M}"
        by_person: dict[int, list[Any]] = defaultdict(list)
        for inv in due:
            by_person[inv.person_id].append(inv)
        for invs in by_person.values():
            about = "、".join(i.about.name for i in invs if i.about_id)
            body = _("Please answer before %(closes)s") % {"closes": closes}
            rows += notify(
                recipients=[invs[0].person],
                kind=Notification.Kind.FORM,
                title=_("Reminder: %(title)s") % {"title": run.title},
                body=f"{body}（{about}）" if about else body,
                url=_invitation_link(invs[0]) if len(invs) == 1 else link("surveys:my_surveys"),
                county_id=run.county_id,
                school_id=run.school_id,
                now=now,
            )
        # the survey engine has just emailed them: the notification stays in the app only
        Notification.objects.filter(
            pk__in=[r.pk for r in rows if r.pk], recipient__email__gt=""
        ).update(email_due=False)
    counts = {**counts, "notified": len(rows)}
    audit_record(actor=user, action="homeschool.form_remind", obj=run, detail=counts)
    return counts


@transaction.atomic
def form_close(*, user: Any, run: Any, now: dt.datetime | None = None) -> Any:
    """Close an open form: no more answers."""
    from dtss.surveys import services as survey_services

    _require(user, run)
    run = survey_services.run_close(run=run, actor=None, now=now)
    audit_record(actor=user, action="homeschool.form_close", obj=run)
    return run
