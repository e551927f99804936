"""技术需求 (service RVD): an enterprise's technology demand, reviewed by the center.

An enterprise (a verified organization of kind enterprise; its owner or any member) posts a
demand: what it needs, the industry (GB/T 4754) and optionally one of the region's key
industries, the league or city it is in, a budget range in 10,000 yuan, the cooperation modes it
accepts (at least one), the date it wants the technology by (after today) and a contact. The
center's operator publishes it, returns it for correction or does not publish it (with a
reason); the enterprise edits it while it is returned and resubmits; it closes it when met, and
the sweep closes a published demand past its deadline. On publication the demand is matched
with the convertible pool (services/matching.py) once the transaction commits.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhibao.accounts.choices import OrganizationKind
from zhibao.core.industries import industry_lookup
from zhibao.core.models import Industry, Region
from zhibao.core.services.cases import WorkflowError, case_submit, case_transition

from ..choices import CooperationMode, DemandState
from ..models import Demand, KeyIndustry
from ..rules import member_of

# What an enterprise may change in its demand (while it is returned for correction).
EDITABLE_FIELDS = ("title", "description", "industry", "key_industry", "league", "budget_min", "budget_max",
                   "modes", "deadline", "contact_name", "contact_phone")
MAX_BUDGET = Decimal("9999999999.99")  # the column's 12 digits, 2 after the point
INNER_MONGOLIA = "15"  # GB/T 2260: the region's codes start with 15


def _decimal(value, name: str, errors: dict):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors[name] = ("bad_budget", _("Enter an amount in 10,000 yuan, e.g. 50 or 12.5."))
        return None
    if not number.is_finite() or number < 0:
        errors[name] = ("bad_budget", _("The budget cannot be negative."))
        return None
    if number > MAX_BUDGET:
        errors[name] = ("bad_budget", _("The budget is too large."))
        return None
    return number.quantize(Decimal("0.01"))


def _date(value, errors: dict):
    if value in (None, ""):
        errors["deadline"] = ("deadline_required", _("Give the date you want the technology by."))
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors["deadline"] = ("bad_date", _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value})
            return None
    return value


def _by_pk(model, value, name: str, errors: dict, *, message: str, **filters):
    if value in (None, ""):
        return None
    key = value.pk if isinstance(value, model) else str(value).strip()
    obj = model.objects.filter(pk=key, **filters).first()
    if obj is None:
        errors[name] = ("unknown_" + name, message)
    return obj


def demand_clean(values: dict, *, today: dt.date | None = None) -> dict:
    """The demand's fields checked and normalised, or a WorkflowError naming every field at
    fault (its code is the first fault's: bad_budget, budget_range, no_mode, bad_deadline …).

    Accepts model instances or their keys (an industry code, a region code, a key industry's
    code), so the pages' forms and the API call the same check."""
    today = today or timezone.localdate()
    errors: dict[str, tuple[str, str]] = {}
    clean: dict = {}
    for name, limit in (("title", 200), ("description", 5000), ("contact_name", 50), ("contact_phone", 30)):
        text = str(values.get(name) or "").strip()
        if not text:
            errors[name] = ("required", _("This field is required."))
        elif len(text) > limit:
            errors[name] = ("too_long", _("At most %(limit)d characters.") % {"limit": limit})
        clean[name] = text
    industry = values.get("industry")
    if industry not in (None, "") and not isinstance(industry, Industry):
        # "C3812" or "3812": the usual written forms (core.industries.industry_lookup)
        industry = industry_lookup(str(industry)) or str(industry)
    clean["industry"] = _by_pk(Industry, industry, "industry", errors,
                               message=_("Not a class of GB/T 4754 (国民经济行业分类)."))
    if clean["industry"] is None and "industry" not in errors:
        errors["industry"] = ("industry_required", _("Choose the industry (GB/T 4754)."))
    key = values.get("key_industry")
    if isinstance(key, KeyIndustry):
        key = key.code
    clean["key_industry"] = None
    if key not in (None, ""):
        clean["key_industry"] = KeyIndustry.objects.filter(code=str(key).strip(), active=True).first()
        if clean["key_industry"] is None:
            errors["key_industry"] = ("unknown_key_industry", _("Not one of the region's key industries."))
    clean["league"] = _by_pk(Region, values.get("league"), "league", errors,
                             message=_("Choose a league or city of Inner Mongolia."),
                             level="league", code__startswith=INNER_MONGOLIA)
    if clean["league"] is None and "league" not in errors:
        errors["league"] = ("league_required", _("Choose a league or city of Inner Mongolia."))
    clean["budget_min"] = _decimal(values.get("budget_min"), "budget_min", errors)
    clean["budget_max"] = _decimal(values.get("budget_max"), "budget_max", errors)
    if (clean["budget_min"] is not None and clean["budget_max"] is not None
            and clean["budget_min"] > clean["budget_max"]):
        errors["budget_max"] = ("budget_range", _("The budget's upper limit must not be below its lower limit."))
    modes = values.get("modes") or []
    if isinstance(modes, str):
        modes = [m for m in modes.replace("，", ",").split(",") if m.strip()]
    modes = [str(m).strip() for m in modes]
    unknown = [m for m in modes if m not in CooperationMode.values]
    if unknown:
        errors["modes"] = ("unknown_mode", _("Unknown cooperation mode: %(modes)s") % {"modes": "、".join(unknown)})
    elif not modes:
        errors["modes"] = ("no_mode", _("Choose at least one cooperation mode."))
    # in the order of CooperationMode, each once
    clean["modes"] = [m for m in CooperationMode.values if m in modes]
    clean["deadline"] = _date(values.get("deadline"), errors)
    if clean["deadline"] is not None and clean["deadline"] <= today:
        errors["deadline"] = ("bad_deadline", _("The date must be after today."))
    if errors:
        first_code = next(iter(errors.values()))[0]
        message = (next(iter(errors.values()))[1] if len(errors) == 1
                   else _("Please correct the marked fields."))
        raise WorkflowError(first_code, message, fields={k: [v[1]] for k, v in errors.items()}, status=400)
    return clean


def enterprise_check(*, user, organization) -> None:
    """The user may post demands for the organization: a member of a verified enterprise."""
    if organization is None or not member_of(user, organization.pk):
        raise WorkflowError("unknown_organization", _("You do not belong to this organization."),
                            fields={"organization": [_("Not one of your organizations.")]}, status=400)
    if organization.kind != OrganizationKind.ENTERPRISE:
        raise WorkflowError("not_enterprise", _("Only enterprises post technology demands."),
                            fields={"organization": [_("Not an enterprise.")]}, status=400)
    if not organization.is_verified:
        raise WorkflowError("organization_not_verified", _(
            "Have the organization verified first (service “Organization verification”)."),
            fields={"organization": [_("Not verified yet.")]}, status=400)


def demand_submit(*, user, organization, idempotency_key: str = "", today: dt.date | None = None,
                  **values) -> tuple[Demand, bool]:
    """Post a demand for the center's review; returns (demand, created). A replay with the same
    idempotency key returns the first demand and checks nothing again."""
    key = (idempotency_key or "").strip()[:64]
    if key and (existing := Demand.objects.filter(case__applicant=user, case__service="RVD",
                                                  case__idempotency_key=key).first()):
        return existing, False
    enterprise_check(user=user, organization=organization)
    clean = demand_clean(values, today=today)

    def create(case):
        demand = Demand(case=case, organization=organization, **clean)
        demand.full_clean(exclude=["case", "state"])
        demand.save()
        return demand

    # The case title is stored in the platform's language (decision 8).
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Technology demand: %(title)s") % {"title": clean["title"]}
    demand, created = case_submit(service="RVD", title=title[:200], applicant=user, organization=organization,
                                  idempotency_key=key, create_detail=create)
    return demand, created


def may_edit(demand: Demand, user) -> bool:
    return demand.state == DemandState.RETURNED and user is not None and member_of(user, demand.organization_id)


@transaction.atomic
def demand_update(*, demand: Demand, user, today: dt.date | None = None, resubmit: bool = False,
                  comment: str = "", **values) -> Demand:
    """Change a returned demand (the enterprise's members); with `resubmit`, send it back to
    the center in the same transaction. Fields not given keep their value."""
    locked = Demand.objects.select_for_update().select_related("case").get(pk=demand.pk)
    if not member_of(user, locked.organization_id):
        raise WorkflowError("forbidden", _("Only the enterprise's members may change its demand."), status=403)
    if locked.state != DemandState.RETURNED:
        raise WorkflowError("not_editable", _(
            "A demand can be changed only while it is returned for correction; it is “%(state)s”.")
            % {"state": DemandState(locked.state).label})
    current = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
    current.update({k: v for k, v in values.items() if k in EDITABLE_FIELDS})
    clean = demand_clean(current, today=today)
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["case", "state"])
    locked.save()
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Technology demand: %(title)s") % {"title": clean["title"]}
    type(locked.case).objects.filter(pk=locked.case_id).update(title=title[:200])
    if resubmit:
        locked = case_transition(detail=locked, name="resubmit", actor=user, comment=comment)
    return locked


def on_demand_published(demand: Demand, *, actor, comment: str = "") -> None:
    """The publish transition's hook: stamp it, and match the demand with the pool after the
    transaction commits (a failure to match never undoes the publication)."""
    demand.published_at = timezone.now()
    demand.decision_reason = ""
    pk = demand.pk

    def match() -> None:
        from .matching import demand_match_after_publish

        demand_match_after_publish(pk)

    transaction.on_commit(match)


def demand_sweep(today: dt.date | None = None) -> dict:
    """Close the published demands past their deadline (system step `expire`, no actor)."""
    today = today or timezone.localdate()
    expired = 0
    for demand in Demand.objects.filter(state=DemandState.PUBLISHED, deadline__lt=today).select_related("case"):
        with translation.override(settings.LANGUAGE_CODE):  # stored: the platform's language
            comment = _("The demand's deadline (%(date)s) has passed.") % {"date": demand.deadline.isoformat()}
        try:
            case_transition(detail=demand, name="expire", actor=None, comment=comment)
        except WorkflowError:  # the enterprise closed it at the same moment
            continue
        expired += 1
    return {"expired": expired}
