"""Writes of canned replies: the county's (for the county's office) and a school's own (for
its administrators; the county's office may keep them too). Keyword-only, atomic, validating
before saving, audited (DESIGN.md rule 2).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.core.tenancy import Scope, scope_for
from dtss.helpdesk import access
from dtss.helpdesk.models import CannedReply, Category

MAX_TITLE = 120
MAX_BODY = 5000


def may_edit_canned(scope: Scope, *, county_id: int, school_id: int | None) -> bool:
    """County-wide replies: the county's office. A school's own: its administrators and the
    county's office."""
    if access.may_configure(scope, county_id=county_id):
        return True
    return school_id is not None and school_id in scope.admin_school_ids


def may_edit(user: Any, reply: CannedReply) -> bool:
    return may_edit_canned(scope_for(user), county_id=reply.county_id, school_id=reply.school_id)


def owners(*, user: Any) -> list[tuple[str, str, Any, Any]]:
    """Where the user may keep canned replies: (key, label, county, school). The county's
    office: its county; a school's administrators: their school."""
    from dtss.orgs.models import County, School

    scope = scope_for(user)
    out: list[tuple[str, str, Any, Any]] = []
    counties = (
        County.objects.all() if scope.superuser else County.objects.filter(pk__in=scope.county_ids)
    )
    for county in counties.order_by("code"):
        out.append(
            (
                f"county:{county.code}",
                _("%(county)s (county-wide)") % {"county": county.name},
                county,
                None,
            )
        )
    for school in School.objects.filter(pk__in=scope.admin_school_ids).select_related("county"):
        out.append((f"school:{school.public_id}", school.name, school.county, school))
    return out


def _clean(*, title: str, body: str, category: str) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    title = (title or "").strip()
    body = (body or "").strip()
    category = category or ""
    if not title:
        errors["title"] = _("Give the reply a short name.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(n)d characters.") % {"n": MAX_TITLE}
    if not body:
        errors["body"] = _("Write the text of the reply.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("At most %(n)d characters.") % {"n": MAX_BODY}
    if category and category not in Category.values:
        errors["category"] = _("Choose a category from the list.")
    if errors:
        raise ValidationError(errors)
    return title, body, category


@transaction.atomic
def canned_create(
    *,
    user: Any,
    title: str,
    body: str,
    category: str = "",
    county: Any = None,
    school: Any = None,
    http_request: Any = None,
) -> CannedReply:
    """A new canned reply: the school's own when `school` is given, else the county's."""
    scope = scope_for(user)
    if school is not None:
        county = school.county
    if county is None:
        raise ValidationError({"owner": _("Choose whose reply this is.")})
    if not may_edit_canned(
        scope, county_id=county.pk, school_id=school.pk if school is not None else None
    ):
        raise PermissionError("may not keep canned replies here")
    title, body, category = _clean(title=title, body=body, category=category)
    reply = CannedReply.objects.create(
        county=county,
        school=school,
        title=title,
        body=body,
        category=category,
        created_by=getattr(user, "person", None),
    )
    audit_record(actor=user, action="helpdesk.canned.create", obj=reply, request=http_request)
    return reply


@transaction.atomic
def canned_update(
    *,
    user: Any,
    reply: CannedReply,
    title: str,
    body: str,
    category: str = "",
    http_request: Any = None,
) -> CannedReply:
    if not may_edit(user, reply):
        raise PermissionError("may not edit this canned reply")
    title, body, category = _clean(title=title, body=body, category=category)
    reply.title, reply.body, reply.category = title, body, category
    reply.save(update_fields=["title", "body", "category", "updated_at"])
    audit_record(actor=user, action="helpdesk.canned.update", obj=reply, request=http_request)
    return reply


@transaction.atomic
def canned_delete(*, user: Any, reply: CannedReply, http_request: Any = None) -> None:
    if not may_edit(user, reply):
        raise PermissionError("may not delete this canned reply")
    audit_record(
        actor=user,
        action="helpdesk.canned.delete",
        obj=reply,
        request=http_request,
        detail={"title": reply.title},
    )
    reply.delete()
