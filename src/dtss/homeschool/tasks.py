"""Background work of the parent–teacher–student platform: notification emails."""

from __future__ import annotations

from django.tasks import task


@task
def notifications_deliver_task() -> dict[str, int]:
    from dtss.homeschool.services import notifications_deliver

    return notifications_deliver()
