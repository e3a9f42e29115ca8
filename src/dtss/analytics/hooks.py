"""What analytics does when the LRS has stored statements: schedule the county's rollups."""

from __future__ import annotations

from django.conf import settings


def after_statements_stored(store: int) -> None:
    """Registered in the LRS's AFTER_STORE_HOOKS; `store` is the county id (0: national)."""
    if store and settings.ANALYTICS_AUTO_ROLLUP:
        from dtss.analytics.tasks import rollup_schedule

        rollup_schedule(county_id=store)
