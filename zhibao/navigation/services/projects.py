"""A navigation project (service NAV): created by an analyst, who leads it or names the lead,
with a team of analysts; its details and conclusions are edited while it is in progress."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from zhibao.accounts.models import Organization
from zhibao.core.models import Region
from zhibao.core.services.cases import WorkflowError, case_submit

from ..choices import CONCLUSION_SECTIONS, Purpose
from ..models import NavigationProject
from ..rules import is_analyst, project_lead
from .tree import project_check_editable, query_check

EDITABLE_FIELDS = ("title", "industry", "purpose", "description", "client", "region", "scope_query", "lead", "team",
                   "gap_lq", "strength_lq", "min_node_patents")
MAX_CONCLUSION = 20000


def _analysts(users, errors: dict, name: str):
    User = get_user_model()
    out = []
    for value in users or ():
        user = value if isinstance(value, User) else User.objects.filter(pk=value).first()
        if user is None or not is_analyst(user):
            errors[name] = ("not_analyst", _("Only patent analysts can be on a navigation team."))
            continue
        out.append(user)
    return out


def project_clean(values: dict) -> dict:
    """The project's fields checked, or a WorkflowError naming every field at fault."""
    from decimal import Decimal, InvalidOperation

    errors: dict[str, tuple[str, str]] = {}
    clean: dict = {}
    for name, limit, required in (("title", 200, True), ("industry", 100, True), ("description", 5000, False)):
        text = " ".join(str(values.get(name) or "").split()) if name != "description" else str(
            values.get(name) or "").strip()
        if required and not text:
            errors[name] = ("required", _("This field is required."))
        elif len(text) > limit:
            errors[name] = ("too_long", _("At most %(limit)d characters.") % {"limit": limit})
        clean[name] = text
    purpose = values.get("purpose") or Purpose.INDUSTRY_PLANNING
    if purpose not in Purpose.values:
        errors["purpose"] = ("bad_purpose", _("Choose one of the listed purposes."))
    clean["purpose"] = purpose
    region = values.get("region") or "150000"
    if not isinstance(region, Region):
        region = Region.objects.filter(pk=str(region).strip()).first()
        if region is None:
            errors["region"] = ("bad_region", _("Not a known province, league or banner code."))
    clean["region"] = region
    try:
        clean["scope_query"] = query_check(values.get("scope_query") or "", field_name="scope_query")
    except WorkflowError as exc:
        errors["scope_query"] = (exc.code, exc.message)
    for name, default in (("gap_lq", "0.5"), ("strength_lq", "1.5")):
        raw = values.get(name)
        try:
            number = Decimal(str(default if raw in (None, "") else raw))
            if not number.is_finite() or number <= 0 or number >= 100:
                raise InvalidOperation
            clean[name] = number.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors[name] = ("bad_threshold", _("Enter a positive number below 100, e.g. 0.5."))
    if "gap_lq" in clean and "strength_lq" in clean and clean["gap_lq"] >= clean["strength_lq"]:
        errors["strength_lq"] = ("bad_threshold", _("The strength threshold must be above the gap threshold."))
    raw = values.get("min_node_patents")
    try:
        clean["min_node_patents"] = 20 if raw in (None, "") else int(raw)
        if not 0 <= clean["min_node_patents"] <= 1_000_000:
            raise ValueError
    except (TypeError, ValueError):
        errors["min_node_patents"] = ("bad_number", _("Enter a whole number of patents."))
    client = values.get("client")
    if client not in (None, "") and not isinstance(client, Organization):
        client = Organization.objects.filter(pk=str(client).strip()).first() if str(client).strip().isdigit() else None
        if client is None:
            errors["client"] = ("unknown_client", _("Not a registered organization."))
    clean["client"] = client or None
    if errors:
        first = next(iter(errors.values()))
        message = first[1] if len(errors) == 1 else _("Please correct the marked fields.")
        raise WorkflowError(first[0], message, fields={k: [v[1]] for k, v in errors.items()}, status=400)
    return clean


def project_create(*, user, idempotency_key: str = "", lead=None, team=(), **values) -> tuple[NavigationProject, bool]:
    """Open a navigation project (case NAV) with the user as lead unless another analyst is
    named; the lead is on the team. A replay with the same key returns the first project."""
    key = (idempotency_key or "").strip()[:64]
    if key and (existing := NavigationProject.objects.filter(
            case__applicant=user, case__service="NAV", case__idempotency_key=key).first()):
        return existing, False
    if not is_analyst(user):
        raise WorkflowError("forbidden", _("Only patent analysts open navigation projects."), status=403)
    clean = project_clean(values)
    errors: dict = {}
    lead_user = (_analysts([lead], errors, "lead") or [None])[0] if lead else user
    members = _analysts(team, errors, "team")
    if errors:
        code, message = next(iter(errors.values()))
        raise WorkflowError(code, message, fields={k: [v[1]] for k, v in errors.items()}, status=400)

    def create(case):
        case.assignee = lead_user
        project = NavigationProject(case=case, lead=lead_user, **clean)
        project.full_clean(exclude=["case", "state"])
        project.save()
        project.team.set({lead_user, user, *members})
        return project

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Patent navigation: %(title)s") % {"title": clean["title"]}
    return case_submit(service="NAV", title=title[:200], applicant=user, organization=clean["client"],
                       idempotency_key=key, create_detail=create)


@transaction.atomic
def project_update(*, project: NavigationProject, user, **values) -> NavigationProject:
    """Change the project's details; fields not given keep their value."""
    project = NavigationProject.objects.select_for_update().select_related("case").get(pk=project.pk)
    project_check_editable(project=project, user=user)
    current = {name: getattr(project, name) for name in EDITABLE_FIELDS if name not in ("team", "lead")}
    current.update({k: v for k, v in values.items() if k in EDITABLE_FIELDS and k not in ("team", "lead")})
    clean = project_clean(current)
    errors: dict = {}
    lead = values.get("lead")
    lead_user = _analysts([lead], errors, "lead")[0] if lead else project.lead
    members = _analysts(values["team"], errors, "team") if "team" in values else None
    if errors:
        code, message = next(iter(errors.values()))
        raise WorkflowError(code, message, fields={k: [v[1]] for k, v in errors.items()}, status=400)
    # Who leads and who is on the team is the lead's decision: a member who named themselves lead
    # would gain the lead's transitions (complete, cancel, archive).
    team_changes = members is not None and {m.pk for m in members} | {lead_user.pk} != set(
        project.team.values_list("pk", flat=True))
    if (lead_user.pk != project.lead_id or team_changes) and not project_lead(project, user):
        raise WorkflowError("forbidden", _("Only the project lead may change the lead or the team."), status=403)
    old_lead_id = project.lead_id
    for name, value in clean.items():
        setattr(project, name, value)
    project.lead = lead_user
    project.full_clean(exclude=["case", "state"])
    project.save()
    if members is not None:
        project.team.set({lead_user, *members})
    elif lead_user.pk != old_lead_id:
        project.team.add(lead_user)
    case = project.case
    case.organization = clean["client"]
    case.assignee = lead_user
    case.save(update_fields=["organization", "assignee"])
    return project


@transaction.atomic
def conclusions_update(*, project: NavigationProject, user, sections: dict) -> NavigationProject:
    """Save the analysts' conclusion sections (the report's last chapter); unknown keys are
    refused, sections not given keep their text."""
    project = NavigationProject.objects.select_for_update().select_related("case").get(pk=project.pk)
    project_check_editable(project=project, user=user)
    known = dict(CONCLUSION_SECTIONS)
    unknown = [k for k in sections if k not in known]
    if unknown:
        raise WorkflowError("unknown_section", _("Unknown section: %(keys)s") % {"keys": "、".join(unknown)},
                            status=400)
    conclusions = dict(project.conclusions or {})
    for keyname, text in sections.items():
        text = str(text or "").strip()
        if len(text) > MAX_CONCLUSION:
            raise WorkflowError("too_long", _("A section has at most %(n)d characters.") % {"n": MAX_CONCLUSION},
                                fields={keyname: [_("Too long.")]}, status=400)
        conclusions[keyname] = text
    project.conclusions = conclusions
    project.save(update_fields=["conclusions", "updated_at"])
    return project
