"""Background work of the helpdesk: mail, and the service-target check (cron)."""

from __future__ import annotations

from django.tasks import task


@task
def mail_send(to: list[str], subject: str, body: str) -> int:
    from django.core.mail import send_mail

    return send_mail(subject, body, None, to)


@task
def sla_check_task() -> dict[str, int]:
    from dtss.helpdesk.services import sla_check

    return sla_check()
