"""`{% demo_generating as flag %}`: whether `dtss demo` is still generating its deferred data
(the learning records and the risk model) in the background; one stat of a file."""

from __future__ import annotations

from django import template

from dtss.demo.county import demo_generating as pending

register = template.Library()


@register.simple_tag
def demo_generating() -> bool:
    return pending()
