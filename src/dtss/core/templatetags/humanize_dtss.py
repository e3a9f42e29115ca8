from __future__ import annotations

from django import template

from dtss.orgs.models import School

register = template.Library()


@register.filter
def stage_label(value: str) -> str:
    return str(dict(School.Stage.choices).get(value, value))
