"""路演: events where pool patents are presented to enterprises.

An operator announces a roadshow (date and time, a place or an online address, the key
industry, the pool patents presented); it is listed for every signed-in user from then on.
Members of a verified enterprise register it (how many people come) and may cancel until it
starts; the operator records who attended afterwards, which marks it held; an enterprise
records an intent on a presented patent once it has started, which opens a deal (RVT).
Roadshows are plain records, not cases: nobody reviews them against a deadline (decision 16).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhibao.accounts.choices import OrganizationKind
from zhibao.core.services.cases import WorkflowError
from zhibao.core.services.notifications import notification_send

from ..choices import PoolStatus, RoadshowState
from ..models import PoolPatent, Roadshow, RoadshowRegistration
from ..rules import is_operator, member_of

MAX_ATTENDEES = 50


def _operator_only(user) -> None:
    if user is None or not is_operator(user):
        raise WorkflowError("forbidden", _("Only the center's operators organize roadshows."), status=403)


def _clean_event(*, title: str, starts_at, place: str, online_url: str, patents) -> tuple[str, list]:
    title = (title or "").strip()
    if not title:
        raise WorkflowError("incomplete", _("Give the roadshow a title."), fields={"title": [_("Required.")]},
                            status=400)
    if starts_at is None:
        raise WorkflowError("incomplete", _("Give the date and time of the roadshow."),
                            fields={"starts_at": [_("Required.")]}, status=400)
    if not (place or "").strip() and not (online_url or "").strip():
        raise WorkflowError("no_place", _("Give the place of the roadshow or its online address."),
                            fields={"place": [_("A place or an online address.")]}, status=400)
    patents = list(patents or [])
    unlisted = [p for p in patents if p.status != PoolStatus.LISTED]
    if unlisted:
        raise WorkflowError("not_listed", _("Only patents listed in the pool can be presented: %(numbers)s")
                            % {"numbers": "、".join(p.patent.publication_number for p in unlisted)},
                            fields={"patents": [_("Not listed in the pool.")]}, status=400)
    return title, patents


@transaction.atomic
def roadshow_create(*, actor, title: str, starts_at, place: str = "", online_url: str = "", key_industry=None,
                    description: str = "", patents=()) -> Roadshow:
    """Announce a roadshow; it is published (listed for everyone signed in) at once."""
    _operator_only(actor)
    title, patents = _clean_event(title=title, starts_at=starts_at, place=place, online_url=online_url,
                                  patents=patents)
    if starts_at <= timezone.now():
        raise WorkflowError("in_the_past", _("A new roadshow must start in the future."),
                            fields={"starts_at": [_("After now.")]}, status=400)
    roadshow = Roadshow(title=title[:200], starts_at=starts_at, place=(place or "").strip()[:200],
                        online_url=(online_url or "").strip(), key_industry=key_industry,
                        description=(description or "").strip(), organizer=actor)
    roadshow.full_clean()
    roadshow.save()
    roadshow.patents.set(patents)
    return roadshow


@transaction.atomic
def roadshow_update(*, roadshow: Roadshow, actor, title: str, starts_at, place: str = "", online_url: str = "",
                    key_industry=None, description: str = "", patents=()) -> Roadshow:
    """Change a planned roadshow (its registrants are told when the time or place changes)."""
    _operator_only(actor)
    locked = Roadshow.objects.select_for_update().get(pk=roadshow.pk)
    if locked.state != RoadshowState.PLANNED:
        raise WorkflowError("not_planned", _("Only a planned roadshow can be changed."), status=409)
    title, patents = _clean_event(title=title, starts_at=starts_at, place=place, online_url=online_url,
                                  patents=patents)
    moved = (locked.starts_at != starts_at or locked.place != (place or "").strip()
             or locked.online_url != (online_url or "").strip())
    locked.title, locked.starts_at, locked.key_industry = title[:200], starts_at, key_industry
    locked.place, locked.online_url = (place or "").strip()[:200], (online_url or "").strip()
    locked.description = (description or "").strip()
    locked.full_clean()
    locked.save()
    locked.patents.set(patents)
    if moved:
        _tell_registrants(locked, gettext_lazy("Roadshow “%(title)s” changed: %(when)s, %(where)s"))
    return locked


def _tell_registrants(roadshow: Roadshow, template: str) -> None:
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from zhibao.accounts.models import User

    with translation.override(settings.LANGUAGE_CODE):
        title = str(template) % {"title": roadshow.title, "when": timezone.localtime(roadshow.starts_at)
                                 .strftime("%Y-%m-%d %H:%M"), "where": roadshow.place or roadshow.online_url}
    url = reverse("revitalization:roadshow_detail", args=[roadshow.pk])
    orgs = roadshow.registrations.values("organization_id")
    for user in User.objects.filter(memberships__organization_id__in=orgs, is_active=True).distinct():
        notification_send(recipient=user, title=title, url=url)


@transaction.atomic
def roadshow_cancel(*, roadshow: Roadshow, actor, reason: str) -> Roadshow:
    _operator_only(actor)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("comment_required", _("Please give a reason."),
                            fields={"reason": [_("A reason is required for this action.")]}, status=400)
    locked = Roadshow.objects.select_for_update().get(pk=roadshow.pk)
    if locked.state != RoadshowState.PLANNED:
        raise WorkflowError("not_planned", _("Only a planned roadshow can be cancelled."), status=409)
    locked.state = RoadshowState.CANCELLED
    locked.description = f"{locked.description}\n\n{_('Cancelled')}: {reason}".strip()
    locked.save(update_fields=["state", "description"])
    _tell_registrants(locked, gettext_lazy("Roadshow “%(title)s” (%(when)s) is cancelled"))
    return locked


# --- registrations -------------------------------------------------------------------------

@transaction.atomic
def roadshow_register(*, roadshow: Roadshow, organization, user, attendees: int = 1
                      ) -> tuple[RoadshowRegistration, bool]:
    """Register an enterprise (or change how many come); (registration, created)."""
    if not member_of(user, organization.pk):
        raise WorkflowError("forbidden", _("You may register only for an organization you belong to."), status=403)
    if organization.kind != OrganizationKind.ENTERPRISE:
        raise WorkflowError("not_enterprise", _("Roadshows are for enterprises: register for your enterprise."),
                            fields={"organization": [_("Not an enterprise.")]}, status=400)
    if not organization.is_verified:
        raise WorkflowError("organization_not_verified", _(
            "Have the organization verified first (service “Organization verification”)."), status=400)
    locked = Roadshow.objects.select_for_update().get(pk=roadshow.pk)
    if locked.state != RoadshowState.PLANNED or locked.starts_at <= timezone.now():
        raise WorkflowError("registration_closed", _("Registration is closed: the roadshow has started, was held "
                                                     "or was cancelled."), status=409)
    try:
        attendees = int(attendees)
    except (TypeError, ValueError):
        attendees = 0
    if not 1 <= attendees <= MAX_ATTENDEES:
        raise WorkflowError("bad_attendees", _("Register 1 to %(max)d people.") % {"max": MAX_ATTENDEES},
                            fields={"attendees": [_("1 to %(max)d.") % {"max": MAX_ATTENDEES}]}, status=400)
    registration, created = RoadshowRegistration.objects.get_or_create(
        roadshow=locked, organization=organization, defaults={"user": user, "attendees": attendees})
    if not created and registration.attendees != attendees:
        registration.attendees = attendees
        registration.save(update_fields=["attendees"])
    return registration, created


@transaction.atomic
def roadshow_registration_cancel(*, registration: RoadshowRegistration, user) -> None:
    """An enterprise's member withdraws its registration, until the roadshow starts."""
    if not member_of(user, registration.organization_id):
        raise WorkflowError("forbidden", _("Only the enterprise's members may cancel its registration."), status=403)
    roadshow = Roadshow.objects.select_for_update().get(pk=registration.roadshow_id)
    if roadshow.starts_at <= timezone.now() or roadshow.state == RoadshowState.HELD:
        raise WorkflowError("registration_closed", _("The roadshow has started: the registration can no longer be "
                                                     "cancelled."), status=409)
    registration.delete()


@transaction.atomic
def roadshow_attendance_record(*, roadshow: Roadshow, actor, attended: dict) -> Roadshow:
    """After the roadshow: who came ({registration id: bool}); the roadshow is then held."""
    _operator_only(actor)
    locked = Roadshow.objects.select_for_update().get(pk=roadshow.pk)
    if locked.state == RoadshowState.CANCELLED:
        raise WorkflowError("cancelled", _("This roadshow was cancelled."), status=409)
    if locked.starts_at > timezone.now():
        raise WorkflowError("not_started", _("Attendance is recorded after the roadshow has started."), status=409)
    registrations = {r.pk: r for r in locked.registrations.all()}
    unknown = [str(pk) for pk in attended if int(pk) not in registrations]
    if unknown:
        raise WorkflowError("unknown_registration", _("Not registrations of this roadshow: %(ids)s")
                            % {"ids": ", ".join(unknown)}, status=400)
    for pk, value in attended.items():
        registration = registrations[int(pk)]
        registration.attended = bool(value)
        registration.save(update_fields=["attended"])
    if locked.state != RoadshowState.HELD:
        locked.state = RoadshowState.HELD
        locked.save(update_fields=["state"])
    return locked


def roadshow_intent(*, roadshow: Roadshow, pool_patent: PoolPatent, buyer, user, kind: str, note: str = "",
                    idempotency_key: str = ""):
    """An enterprise's intent on a patent presented at the roadshow, once it has started: a deal."""
    from .deals import deal_start

    if roadshow.state == RoadshowState.CANCELLED:
        raise WorkflowError("cancelled", _("This roadshow was cancelled."), status=409)
    if roadshow.starts_at > timezone.now():
        raise WorkflowError("not_started", _("Intents are recorded during or after the roadshow."), status=409)
    if not roadshow.patents.filter(pk=pool_patent.pk).exists():
        raise WorkflowError("not_presented", _("This patent was not presented at the roadshow."),
                            fields={"pool_patent": [_("Not presented.")]}, status=400)
    return deal_start(pool_patent=pool_patent, buyer=buyer, user=user, kind=kind, roadshow=roadshow, note=note,
                      idempotency_key=idempotency_key)
