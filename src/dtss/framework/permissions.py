"""Who may fill and who may review an assessment (on top of the visibility rule)."""

from __future__ import annotations

from typing import Any

from dtss.core.tenancy import scope_for
from dtss.framework.models import Assessment


def can_fill(user: Any, assessment: Assessment) -> bool:
    """A school's administrators fill its Table 7 (county administrators may help); the county's
    administrators and office staff fill its Table 6."""
    scope = scope_for(user)
    if scope.superuser:
        return True
    if assessment.school_id is None:
        return assessment.county_id in scope.county_ids
    return (
        assessment.school_id in scope.admin_school_ids
        or assessment.county_id in scope.admin_county_ids
    )


def can_review(user: Any, assessment: Assessment) -> bool:
    """The county's administrators and office staff review its schools."""
    scope = scope_for(user)
    return scope.superuser or (
        assessment.school_id is not None and assessment.county_id in scope.county_ids
    )
