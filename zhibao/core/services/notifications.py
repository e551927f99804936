"""Notifications: an in-app inbox row for each person a case event concerns, plus email."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import CaseEvent, Notification


def _recipients(event: CaseEvent) -> list:
    """Who an event concerns: the applicant, the assignee, or else the responsible role.

    The actor is never told of their own action.
    """
    case = event.case
    people = {case.applicant_id: case.applicant}
    if case.assignee_id:
        people[case.assignee_id] = case.assignee
    elif case.assignee_role:
        spec = case.spec
        if spec is not None and spec.role_recipients is not None:
            staff = spec.role_recipients(case)
        else:
            staff = get_user_model().objects.filter(groups__name=case.assignee_role, is_active=True)
        for user in staff:
            people[user.pk] = user
    people.pop(event.actor_id, None)
    return [u for u in people.values() if u.is_active]


def notification_send(*, recipient, title: str, body: str = "", url: str = "", case=None) -> Notification:
    """Put a message in the recipient's inbox and email it after the transaction commits."""
    note = Notification.objects.create(recipient=recipient, case=case, title=title[:200], body=body, url=url)
    if recipient.email:
        transaction.on_commit(
            lambda: send_mail(title[:200], f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL,
                              [recipient.email], fail_silently=True)
        )
    return note


def notify_case_event(event: CaseEvent) -> list[Notification]:
    case = event.case
    # Messages are stored in the platform's language: they are read later, by people
    # whose language is not known at the time of the event.
    with translation.override(settings.LANGUAGE_CODE):
        if event.transition == "submit":
            title = _("Case %(number)s submitted: %(title)s") % {"number": case.number, "title": case.title}
        else:
            title = _("Case %(number)s: %(action)s, now “%(status)s”") % {
                "number": case.number, "action": event.transition_label, "status": case.status_label,
            }
        body = event.comment
        if case.deadline:
            body = (body + "\n" if body else "") + _("Deadline: %(date)s") % {"date": case.deadline.isoformat()}
    url = case.get_absolute_url()
    return [
        notification_send(recipient=user, title=title, body=body, url=url, case=case) for user in _recipients(event)
    ]


def notification_mark_read(*, user, ids: list[int] | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
