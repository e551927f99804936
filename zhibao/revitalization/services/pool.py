"""可转化专利资源库: putting patents into the pool, grading them, and the marketplace around them.

- `pool_add` is what a completed inventory calls for each pooled line (and what an operator may
  call for a patent offered outside an inventory); `pool_patent_grade` computes one pool
  patent's score, grade, explanation and key industries from grading.py with the current
  settings; `pool_regrade` does the same for every listed patent in batches (the
  `revitalization.regrade` job, jobs.py), queued by `regrade_queue` when the grading settings
  change (`grading_config_update`) and after corpus imports.
- The holder's members edit their listing (`pool_patent_update`), withdraw and relist it.
- Enterprises rate a patent (`pool_patent_evaluate`, one rating per enterprise, which regrades
  the patent at once) and ask its holder through the platform (`contact_request_send`); the
  holder's members answer (`contact_request_reply`). Contact details never leave the platform
  for strangers: the holder's phone is shown to its members and the center only.

Every refusal is a WorkflowError with a code and a message for the person; nothing is half-saved.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhibao.accounts.choices import OrganizationKind
from zhibao.accounts.selectors import organization_members
from zhibao.core.services.cases import WorkflowError

from ..choices import CooperationMode, OperationKind, PoolStatus
from ..grading import FACTORS, facts_of, grade_patent
from ..models import ContactRequest, GradingConfig, KeyIndustry, MarketEvaluation, PoolPatent
from ..rules import is_operator, member_of
from .operations import operation_record

REGRADE_JOB = "revitalization.regrade"
REGRADE_BATCH = 500
MAX_MESSAGE = 2000
MAX_DESCRIPTION = 5000
# A contact sent twice with the same words this soon is the same request (a double click, a resent POST).
CONTACT_REPLAY_WINDOW = dt.timedelta(minutes=10)


def _platform(text_fn):
    """A stored text (notification, explanation) in the platform's language (decision 8)."""
    with translation.override(settings.LANGUAGE_CODE):
        return text_fn()


# --- grading ---------------------------------------------------------------------------------------

def pool_patent_grade(pool_patent: PoolPatent, *, config: GradingConfig | None = None, industries=None,
                      today=None) -> PoolPatent:
    """Grade one pool patent and save the result (score, grade, parts, industries, version)."""
    config = config or GradingConfig.current()
    industries = list(industries) if industries is not None else list(KeyIndustry.objects.filter(active=True))
    ratings = list(pool_patent.evaluations.values_list("rating", flat=True)) if pool_patent.pk else []
    # The explanation is stored in the platform's language, like every stored message (decision 8).
    with translation.override(settings.LANGUAGE_CODE):
        graded = grade_patent(facts_of(pool_patent.patent, ratings), industries=industries, weights=config.weights,
                              thresholds=config.thresholds, today=today or timezone.localdate(),
                              evaluation_min_count=config.evaluation_min_count)
    pool_patent.score, pool_patent.grade, pool_patent.score_parts = graded.score, graded.grade, graded.parts
    pool_patent.graded_version, pool_patent.graded_at = config.version, timezone.now()
    pool_patent.save(update_fields=["score", "grade", "score_parts", "graded_version", "graded_at", "updated_at"])
    by_code = {i.code: i for i in industries}
    pool_patent.industries.set([by_code[c] for c in graded.industries])
    return pool_patent


def pool_regrade(*, pool_patent_ids=None, config: GradingConfig | None = None, progress=None,
                 batch_size: int = REGRADE_BATCH, today=None) -> int:
    """Regrade the listed pool patents (or those of `pool_patent_ids`) with the current settings,
    `batch_size` at a time, each batch in its own transaction (an interrupted regrade keeps what
    it wrote; the rest stays visibly stale by `graded_version`). `progress(done, total)` after
    each batch. Rows are written in one executemany per batch (_write_grades), no per-row
    signals — and the matching index is told once per batch that the pool changed."""
    from . import matching

    config = config or GradingConfig.current()
    industries = list(KeyIndustry.objects.filter(active=True))
    by_code = {i.code: i for i in industries}
    today = today or timezone.localdate()
    Through = PoolPatent.industries.through
    ids_qs = PoolPatent.objects.listed()
    if pool_patent_ids is not None:
        ids_qs = ids_qs.filter(pk__in=list(pool_patent_ids))
    ids = list(ids_qs.order_by("pk").values_list("pk", flat=True))
    total, done = len(ids), 0
    with translation.override(settings.LANGUAGE_CODE):
        for start in range(0, total, batch_size):
            chunk = ids[start:start + batch_size]
            with transaction.atomic():
                rows = list(PoolPatent.objects.filter(pk__in=chunk).select_related("patent").order_by("pk"))
                ratings: dict[int, list[int]] = {}
                for pp_id, rating in MarketEvaluation.objects.filter(pool_patent_id__in=chunk).values_list(
                        "pool_patent_id", "rating"):
                    ratings.setdefault(pp_id, []).append(rating)
                now = timezone.now()
                links = []
                for pp in rows:
                    graded = grade_patent(facts_of(pp.patent, ratings.get(pp.pk, ())), industries=industries,
                                          weights=config.weights, thresholds=config.thresholds, today=today,
                                          evaluation_min_count=config.evaluation_min_count)
                    pp.score, pp.grade, pp.score_parts = graded.score, graded.grade, graded.parts
                    pp.graded_version, pp.graded_at, pp.updated_at = config.version, now, now
                    links.extend(Through(poolpatent_id=pp.pk, keyindustry_id=by_code[c].pk) for c in graded.industries)
                _write_grades(rows)
                Through.objects.filter(poolpatent_id__in=chunk).delete()
                Through.objects.bulk_create(links)
                matching.pool_changed(sender=PoolPatent)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    return done


GRADE_FIELDS = ("score", "grade", "score_parts", "graded_version", "graded_at", "updated_at")


def _write_grades(rows) -> None:
    """One parametrised UPDATE per row sent with executemany: bulk_update's CASE … WHEN
    expressions cost more to build than the grading itself for a few thousand rows. Values are
    prepared by the fields (JSON, decimal, time zone) for whichever database it is."""
    connection = connections[PoolPatent.objects.db]
    fields = [PoolPatent._meta.get_field(name) for name in GRADE_FIELDS]
    qn = connection.ops.quote_name
    # Only the model's own table and column names go into the text (quoted); every value is a parameter.
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    sql = f"UPDATE {qn(PoolPatent._meta.db_table)} SET {assignments} WHERE {qn(PoolPatent._meta.pk.column)} = %s"  # nosec B608 # noqa: S608
    params = [[f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def regrade_queue(*, owner=None, reason: str = ""):
    """Queue one regrade of the pool; a regrade already waiting to start reads the settings when it
    runs, so a second request while one waits adds nothing (the waiting job is returned)."""
    from zhibao.core.choices import JobStatus
    from zhibao.core.models import Job
    from zhibao.core.services.jobs import job_start

    from .. import jobs  # noqa: F401  (registers the job function)

    waiting = Job.objects.filter(name=REGRADE_JOB, status=JobStatus.QUEUED).order_by("-created_at").first()
    if waiting is not None:
        return waiting
    title = _platform(lambda: _("Regrade the convertible pool") + (f" ({reason})" if reason else ""))
    return job_start(name=REGRADE_JOB, title=title, owner=owner)


def regrade_job_current():
    """The newest regrade job (to show its progress beside the settings)."""
    from zhibao.core.models import Job

    return Job.objects.filter(name=REGRADE_JOB).order_by("-created_at").first()


def stale_count(config: GradingConfig | None = None) -> int:
    """Listed pool patents graded with older settings than the current ones."""
    config = config or GradingConfig.current()
    return PoolPatent.objects.listed().filter(graded_version__lt=config.version).count()


def _number(value):
    """A weight or threshold as JSON keeps it: an int when whole, else a float."""
    if isinstance(value, bool):
        raise ValueError
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError
    return int(number) if number == number.to_integral_value() else float(number)


def may_manage_grading(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and (is_operator(user) or user.has_perm("revitalization.change_gradingconfig")))


@transaction.atomic
def grading_config_update(*, weights: dict, thresholds: dict, evaluation_min_count: int, actor):
    """Change the grading model: (settings, regrade job or None). Validated as the model's
    full_clean does; a change bumps `version` and queues the regrade of the whole pool, after
    which every listed patent carries the new version. Saving the same values changes nothing."""
    if not may_manage_grading(actor):
        raise WorkflowError("forbidden", _("Only the center's operators may change the grading settings."),
                            status=403)
    current = GradingConfig.current()
    config = GradingConfig.objects.select_for_update().get(pk=current.pk)
    try:
        weights = {str(k): _number(v) for k, v in (weights or {}).items()}
        thresholds = {str(k): _number(v) for k, v in (thresholds or {}).items()}
    except (TypeError, ValueError, InvalidOperation, ArithmeticError):
        raise WorkflowError("invalid_settings", _("Weights and thresholds are numbers."),
                            fields={"weights": [_("Enter numbers.")]}, status=400)
    weights = {f: weights.get(f, 0) for f in FACTORS} if not set(weights) - set(FACTORS) else weights
    before = (config.weights, config.thresholds, config.evaluation_min_count)
    config.weights, config.thresholds, config.evaluation_min_count = weights, thresholds, evaluation_min_count
    try:
        config.full_clean()
    except ValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        first = next((m for msgs in fields.values() for m in msgs), _("The settings are not valid."))
        raise WorkflowError("invalid_settings", first, fields=fields, status=400)
    if (config.weights, config.thresholds, config.evaluation_min_count) == before:
        return config, None
    config.version += 1
    with set_actor(actor):
        config.save()
    job = regrade_queue(owner=actor, reason=_platform(lambda: _("settings version %(v)d") % {"v": config.version}))
    return config, job


# --- the holder's listing --------------------------------------------------------------------------

def is_holder_side(user, pool_patent: PoolPatent) -> bool:
    return member_of(user, pool_patent.holder_id)


def _holder_only(user, pool_patent: PoolPatent) -> None:
    if not is_holder_side(user, pool_patent):
        raise WorkflowError("forbidden", _("Only the holder's members may change this listing."), status=403)


def clean_modes(modes) -> list[str]:
    modes = list(dict.fromkeys(str(m) for m in (modes or ())))
    unknown = [m for m in modes if m not in CooperationMode.values]
    if unknown:
        raise WorkflowError("bad_mode", _("Unknown cooperation modes: %(modes)s") % {"modes": "、".join(unknown)},
                            fields={"modes": [_("Choose among the cooperation modes offered.")]}, status=400)
    return [m for m in CooperationMode.values if m in modes]  # the choices' order


def clean_price(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise WorkflowError("bad_price", _("The asking price is a number of 10,000 yuan."),
                            fields={"asking_price": [_("Enter a number.")]}, status=400)
    if price < 0 or price >= Decimal("1e10"):
        raise WorkflowError("bad_price", _("The asking price must be between 0 and 9,999,999,999.99 (10,000 yuan)."),
                            fields={"asking_price": [_("Out of range.")]}, status=400)
    return price


@transaction.atomic
def pool_patent_update(*, pool_patent: PoolPatent, user, modes, asking_price, description: str,
                       contact_name: str, contact_phone: str) -> PoolPatent:
    """The holder's members say how the patent is offered: modes, asking price, description and
    the contact the holder's side and the center see."""
    pool_patent = PoolPatent.objects.select_for_update().get(pk=pool_patent.pk)
    _holder_only(user, pool_patent)
    pool_patent.modes = clean_modes(modes)
    pool_patent.asking_price = clean_price(asking_price)
    pool_patent.description = (description or "").strip()[:MAX_DESCRIPTION]
    pool_patent.contact_name = (contact_name or "").strip()[:50]
    pool_patent.contact_phone = (contact_phone or "").strip()[:30]
    with set_actor(user):
        pool_patent.save(update_fields=["modes", "asking_price", "description", "contact_name", "contact_phone",
                                        "updated_at"])
    return pool_patent


@transaction.atomic
def pool_patent_withdraw(*, pool_patent: PoolPatent, user) -> PoolPatent:
    """Take the patent off the public pool (the holder's members); its page stays for them."""
    pool_patent = PoolPatent.objects.select_for_update().get(pk=pool_patent.pk)
    _holder_only(user, pool_patent)
    if pool_patent.status != PoolStatus.LISTED:
        raise WorkflowError("not_listed", _("This patent is not listed in the pool."), status=409)
    pool_patent.status = PoolStatus.WITHDRAWN
    with set_actor(user):
        pool_patent.save(update_fields=["status", "updated_at"])
    return pool_patent


@transaction.atomic
def pool_patent_relist(*, pool_patent: PoolPatent, user) -> PoolPatent:
    """Offer a withdrawn patent again (the holder's members), graded with the current settings."""
    pool_patent = PoolPatent.objects.select_for_update().get(pk=pool_patent.pk)
    _holder_only(user, pool_patent)
    if pool_patent.status == PoolStatus.LISTED:
        raise WorkflowError("already_listed", _("This patent is already listed in the pool."), status=409)
    pool_patent.status = PoolStatus.LISTED
    with set_actor(user):
        pool_patent.save(update_fields=["status", "updated_at"])
    return pool_patent_grade(pool_patent)


# --- enterprises' evaluations and contacts ---------------------------------------------------------

def evaluating_organizations(user, pool_patent: PoolPatent | None = None):
    """The verified enterprises the user belongs to that may rate (never the patent's holder)."""
    from zhibao.accounts.models import Organization

    if user is None or not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    qs = Organization.objects.filter(memberships__user=user, kind=OrganizationKind.ENTERPRISE).distinct()
    if pool_patent is not None:
        qs = qs.exclude(pk=pool_patent.holder_id)
    return qs.order_by("name")


@transaction.atomic
def pool_patent_evaluate(*, pool_patent: PoolPatent, user, organization, rating: int,
                         comment: str = "") -> tuple[MarketEvaluation, bool]:
    """An enterprise's market evaluation (1–5 and a comment); (evaluation, created). One per
    enterprise: rating again updates it. The patent is regraded at once (the market factor)."""
    pool_patent = PoolPatent.objects.select_for_update().select_related("patent").get(pk=pool_patent.pk)
    if pool_patent.status != PoolStatus.LISTED:
        raise WorkflowError("not_listed", _("This patent is no longer offered in the pool."), status=409)
    if organization is None or not member_of(user, organization.pk):
        raise WorkflowError("unknown_organization", _("You do not belong to this organization."),
                            fields={"organization": [_("Not one of your organizations.")]}, status=400)
    if organization.pk == pool_patent.holder_id:
        raise WorkflowError("own_patent", _("An organization may not rate its own patents."),
                            fields={"organization": [_("This is the patent's holder.")]}, status=403)
    if organization.kind != OrganizationKind.ENTERPRISE:
        raise WorkflowError("not_enterprise", _("Market evaluations are given by enterprises."),
                            fields={"organization": [_("Not an enterprise.")]}, status=400)
    if not organization.is_verified:
        raise WorkflowError("organization_not_verified", _(
            "Have the organization verified first (service “Organization verification”)."),
            fields={"organization": [_("Not verified yet.")]}, status=400)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise WorkflowError("bad_rating", _("Rate from 1 (no market) to 5 (a strong market)."),
                            fields={"rating": [_("Choose 1 to 5.")]}, status=400)
    comment = (comment or "").strip()[:MAX_MESSAGE]
    evaluation, created = MarketEvaluation.objects.update_or_create(
        pool_patent=pool_patent, organization=organization,
        defaults={"user": user, "rating": rating, "comment": comment})
    pool_patent_grade(pool_patent)
    operation_record(kind=OperationKind.EVALUATION, user=user, organization=organization, pool_patent=pool_patent,
                     detail=str(rating))
    return evaluation, created


def contacts_visible_to(user, pool_patent: PoolPatent):
    """The contact requests of a patent the user may read: all of them for the holder's side and
    the center's operators, the user's own (and their organizations') for anyone else."""
    from django.db.models import Q

    qs = pool_patent.contacts.select_related("user", "organization", "replied_by")
    if is_holder_side(user, pool_patent) or is_operator(user):
        return qs
    mine = user.memberships.values("organization_id")
    return qs.filter(Q(user=user) | Q(organization_id__in=mine))


@transaction.atomic
def contact_request_send(*, pool_patent: PoolPatent, user, message: str,
                         organization=None) -> tuple[ContactRequest, bool]:
    """Ask the holder about the patent through the platform; (request, created). The holder's
    members are notified; the same words sent again within minutes are the same request."""
    pool_patent = PoolPatent.objects.select_for_update().select_related("patent", "holder").get(pk=pool_patent.pk)
    if pool_patent.status != PoolStatus.LISTED:
        raise WorkflowError("not_listed", _("This patent is no longer offered in the pool."), status=409)
    if is_holder_side(user, pool_patent):
        raise WorkflowError("own_patent", _("You belong to the holder of this patent."), status=403)
    if organization is not None and not member_of(user, organization.pk):
        raise WorkflowError("unknown_organization", _("You do not belong to this organization."),
                            fields={"organization": [_("Not one of your organizations.")]}, status=400)
    message = (message or "").strip()
    if not message:
        raise WorkflowError("message_required", _("Write what you would like to ask the holder."),
                            fields={"message": [_("Required.")]}, status=400)
    if len(message) > MAX_MESSAGE:
        raise WorkflowError("message_too_long", _("Keep the message within %(n)d characters.") % {"n": MAX_MESSAGE},
                            fields={"message": [_("Too long.")]}, status=400)
    recent = (ContactRequest.objects.filter(pool_patent=pool_patent, user=user, message=message,
                                            created_at__gte=timezone.now() - CONTACT_REPLAY_WINDOW)
              .order_by("-created_at").first())
    if recent is not None:
        return recent, False
    contact = ContactRequest.objects.create(pool_patent=pool_patent, user=user, organization=organization,
                                            message=message)
    from zhibao.core.services.notifications import notification_send

    url = reverse("revitalization:pool_patent", args=[pool_patent.pk]) + "#contacts"
    sender = organization.name if organization is not None else str(user)
    title = _platform(lambda: _("%(sender)s asks about your pool patent %(number)s") % {
        "sender": sender, "number": pool_patent.patent.publication_number})
    for member in organization_members(pool_patent.holder_id):
        notification_send(recipient=member, title=title, body=message, url=url)
    operation_record(kind=OperationKind.CONTACT, user=user, organization=organization, pool_patent=pool_patent)
    return contact, True


@transaction.atomic
def contact_request_reply(*, contact: ContactRequest, user, reply: str) -> ContactRequest:
    """The holder's members answer a contact request; the enterprise is notified and reads the
    answer on the patent's page. One answer per request."""
    contact = ContactRequest.objects.select_for_update().select_related("pool_patent__patent").get(pk=contact.pk)
    pool_patent = contact.pool_patent
    _holder_only(user, pool_patent)
    if contact.replied_at is not None:
        raise WorkflowError("already_replied", _("This request was already answered."), status=409)
    reply = (reply or "").strip()
    if not reply:
        raise WorkflowError("reply_required", _("Write the answer."), fields={"reply": [_("Required.")]}, status=400)
    if len(reply) > MAX_MESSAGE:
        raise WorkflowError("reply_too_long", _("Keep the answer within %(n)d characters.") % {"n": MAX_MESSAGE},
                            fields={"reply": [_("Too long.")]}, status=400)
    contact.reply, contact.replied_by, contact.replied_at = reply, user, timezone.now()
    contact.save(update_fields=["reply", "replied_by", "replied_at"])
    from zhibao.core.services.notifications import notification_send

    title = _platform(lambda: _("The holder answered your question about %(number)s") % {
        "number": pool_patent.patent.publication_number})
    if contact.user.is_active:
        notification_send(recipient=contact.user, title=title, body=reply,
                          url=reverse("revitalization:pool_patent", args=[pool_patent.pk]) + "#contacts")
    return contact


# --- putting patents into the pool -----------------------------------------------------------------

@transaction.atomic
def pool_add(*, patent, holder, actor, source_item=None) -> tuple[PoolPatent, bool]:
    """Put a corpus patent into the pool for its holder, graded; (pool patent, created). A patent
    already in the pool is relisted if it was withdrawn and keeps its listing otherwise (one
    holder offers a patent: the pool has it once)."""
    existing = PoolPatent.objects.select_for_update().filter(patent=patent).first()
    if existing is not None:
        if existing.status != PoolStatus.LISTED and existing.holder_id == holder.pk:
            existing.status = PoolStatus.LISTED
            existing.source_item = source_item or existing.source_item
            existing.save(update_fields=["status", "source_item", "updated_at"])
            pool_patent_grade(existing)
        return existing, False
    pool_patent = PoolPatent.objects.create(patent=patent, holder=holder, source_item=source_item)
    return pool_patent_grade(pool_patent), True
