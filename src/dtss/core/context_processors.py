from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dtss.core.tenancy import scope_for
from dtss.helpdesk import access as helpdesk_access
from dtss.homeschool import selectors as homeschool_selectors


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation entries the signed-in user's roles allow."""
    user = getattr(request, "user", None)
    scope = scope_for(user)
    if not scope.authenticated:
        return {"nav": []}
    nav = [(reverse("core:home"), _("Home"))]
    if scope.is_staff_level:
        nav.append((reverse("framework:browse"), _("Framework")))
        nav.append((reverse("framework:cycle_list"), _("Cycles")))
        nav.append((reverse("framework:assessment_list"), _("Self-assessments")))
        nav.append((reverse("framework:plan_list"), _("Plans")))
        nav.append((reverse("framework:case_list"), _("Cases")))
        nav.append((reverse("surveys:questionnaire_list"), _("Surveys")))
    if scope.is_county_level and (scope.county_ids or scope.everything):
        nav.append((reverse("framework:dashboard"), _("Dashboard")))
    if scope.everything or scope.superuser:
        nav.append((reverse("framework:county_comparison"), _("Counties")))
    if scope.is_staff_level:
        nav.append((reverse("orgs:school_list"), _("Schools")))
        nav.append((reverse("orgs:class_list"), _("Classes")))
        nav.append((reverse("orgs:person_list"), _("People")))
    if scope.is_county_level and not scope.superuser and scope.county_ids:
        nav.append((reverse("orgs:office"), _("Promotion office")))
    nav.append((reverse("surveys:my_surveys"), _("My surveys")))  # invitations, access codes
    if scope.roles or scope.superuser:
        nav.append((reverse("analytics:hub"), _("Learning data")))  # each role's own view
    if scope.superuser or scope.staff_school_ids:
        nav.append((reverse("predict:class_list"), _("At-risk students")))  # teachers, schools
    if scope.is_county_level:
        nav.append((reverse("predict:model_list"), _("Prediction models")))
    if scope.superuser or scope.staff_school_ids or scope.county_ids:
        nav.append((reverse("devices:device_list"), _("Devices")))  # register, loans, needs
    if scope.student_school_ids or scope.child_ids:
        nav.append((reverse("devices:my_devices"), _("My devices")))  # loans, agreements
    if scope.superuser or scope.admin_school_ids or scope.county_ids:
        nav.append((reverse("helpdesk:queue"), _("Helpdesk")))  # queue, KB, community, reports
    elif helpdesk_access.may_raise(user):
        nav.append((reverse("helpdesk:request_mine"), _("Help")))  # my requests, the KB
    if (
        scope.superuser
        or scope.staff_school_ids
        or scope.child_ids
        or scope.student_school_ids
        or scope.county_ids
    ):  # contact book, leave, attendance, announcements, messages (the county: its reports)
        nav.append((reverse("homeschool:home"), _("Contact book")))
    if scope.is_county_level:
        nav.append((reverse("lrs:statements"), _("Learning records")))
        nav.append((reverse("analytics:platform_list"), _("Learning platforms")))
    if scope.can_administer:
        nav.append((reverse("imports:list"), _("Imports")))
        nav.append((reverse("core:audit"), _("Audit log")))
    return {
        "nav": nav,
        "scope": scope,
        "can_ask_help": helpdesk_access.may_raise(user),
        # evaluated only where the header renders it: one count per page
        "notifications_unread": lambda: homeschool_selectors.unread_count(user=user),
    }
