"""Pages of the pre-examination channel (applicant): apply for filing, submit a case, ask for
prioritized examination, reply to a correction notice, record the CNIPA filing.

The views validate the input and call the services; every business rule — who may apply,
what is refused and why — is the services'. A refusal (WorkflowError) is shown on the form
it came from, its message on top and each field's reason next to that field.
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from zhibao.core.attachments.selectors import attachments_for
from zhibao.core.forms import apply_workflow_error
from zhibao.core.selectors import cases_of_applicant, cases_visible_to
from zhibao.core.services.cases import WorkflowError, available_transitions, case_transition
from zhibao.patents.choices import PatentType

from ..choices import DocumentKind, FilingState
from ..forms import (
    CaseForm,
    FilingForm,
    PriorityForm,
    RecordFilingForm,
    ReplyForm,
    active_fields,
    apply_upload_error,
    locarno_ranges,
    member_organizations,
    owned_organizations,
)
from ..models import Filing
from ..services.documents import pre_exam_reply
from ..services.filings import filing_submit, renewal_is_open, valid_filing_of
from ..services.intake import REQUIRED_DOCUMENTS, pre_exam_submit, suggestion_for
from ..services.priority import priority_submit, quota_left

_OPEN_FILING = (FilingState.SUBMITTED, FilingState.IN_REVIEW, FilingState.RETURNED)


def _submitted(request, detail, created: bool):
    """After a submission: the case page; a replayed submit (same key) says so, creates nothing."""
    if created:
        messages.success(request, _("Submitted as case %(number)s.") % {"number": detail.case.number})
    else:
        messages.info(request, _("This was already submitted as case %(number)s.") % {"number": detail.case.number})
    return redirect(detail.case)


# --- 预审备案 ------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def filing_new(request):
    """Apply for the organization's pre-examination filing (service PEF)."""
    bound = request.method == "POST"
    chosen = request.GET.get("organization", "")
    initial = {"organization": chosen}
    renewing = None
    if not bound and chosen.isdigit():
        # A renewal starts from what the current filing says; the applicant corrects what changed.
        organization = owned_organizations(request.user).filter(pk=int(chosen)).first()
        renewing = valid_filing_of(organization) if organization is not None else None
        if renewing is not None:
            initial.update(technical_fields=list(renewing.fields.all()), business_scope=renewing.business_scope,
                           contact_name=renewing.contact_name, contact_phone=renewing.contact_phone)
    form = FilingForm(request.POST if bound else None, request.FILES if bound else None, user=request.user,
                      initial=initial)
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            filing, created = filing_submit(
                user=request.user, organization=data["organization"], fields=data["technical_fields"],
                business_scope=data["business_scope"], contact_name=data["contact_name"],
                contact_phone=data["contact_phone"], licence=request.FILES.get("licence"),
                idempotency_key=data["idempotency_key"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc, field_map={"fields": "technical_fields"})
        except ValidationError as exc:  # the licence refused by the service's own check
            apply_upload_error(form, exc, "licence")
        else:
            return _submitted(request, filing, created)
    return render(request, "pre_exam/filing_form.html", {
        "form": form, "has_organizations": form.fields["organization"].queryset.exists(), "renewing": renewing,
    })


@require_GET
def filing_list(request):
    """The filings of the user's organizations, and for each organization whether it may apply."""
    cases = cases_of_applicant(request.user).filter(service="PEF")
    filings = list(Filing.objects.filter(case__in=cases.values("pk"))
                   .select_related("case", "organization").prefetch_related("fields")
                   .order_by("-case__submitted_at", "-pk"))
    by_org = defaultdict(list)
    for filing in filings:
        by_org[filing.organization_id].append(filing)
    owner_ids = set(owned_organizations(request.user).values_list("pk", flat=True))
    organizations = []
    for org in member_organizations(request.user).order_by("name"):
        mine = by_org.get(org.pk, [])
        valid = next((f for f in mine if f.is_valid), None)
        pending = next((f for f in mine if f.state in _OPEN_FILING), None)
        renewable = valid is not None and renewal_is_open(valid)
        organizations.append({"org": org, "valid": valid, "pending": pending, "renewable": renewable,
                              "can_apply": (org.pk in owner_ids and pending is None
                                            and (valid is None or renewable))})
    return render(request, "pre_exam/filing_list.html", {
        "filings": filings, "organizations": organizations, "may_apply": bool(owner_ids),
    })


# --- 预审案件 ------------------------------------------------------------------------------------

def _documents(form: CaseForm, patent_type: str) -> list[dict]:
    """Each document's input with whether the patent type requires it (the service decides;
    the page only marks it)."""
    required = {k.value for k in REQUIRED_DOCUMENTS.get(patent_type, ())}
    return [{"kind": kind.value, "label": kind.label, "field": form[kind.value], "required": kind.value in required}
            for kind in DocumentKind]


def _type_context(form: CaseForm) -> dict:
    """What the page draws for the chosen patent type: the documents it requires, and the
    classification it is declared in (Locarno for a design, IPC otherwise)."""
    return {"documents": _documents(form, form.patent_type_value()), "is_design": form.is_design(),
            "locarno_ranges": locarno_ranges(active_fields()) if form.is_design() else []}


@require_http_methods(["GET", "POST"])
def case_new(request):
    """The new-case wizard (service PE). Its HTMX parts: `part=documents` redraws what the
    chosen patent type needs — which documents it requires, the IPC or (a design) the Locarno
    input, the suggestion's button; `part=suggestion` shows the IPC and field the model
    suggests for the title and abstract typed so far (none for a design: IPC does not class it)."""
    part = request.POST.get("part") if request.method == "POST" else request.GET.get("part")
    if part == "suggestion":
        data = request.POST if request.method == "POST" else request.GET
        title = (data.get("title") or "").strip()[:200]
        abstract = (data.get("abstract") or "").strip()[:5000]
        is_design = data.get("patent_type") == PatentType.DESIGN
        suggestion = suggestion_for(title, abstract) if (title or abstract) and not is_design else {}
        return render(request, "pre_exam/case_form.html#suggestion",
                      {"suggestion": suggestion, "asked": bool(title or abstract), "is_design": is_design})
    if part == "documents":
        form = CaseForm(request.GET, user=request.user)
        return render(request, "pre_exam/case_form.html#type_parts", {"form": form, "oob": True,
                                                                       **_type_context(form)})
    bound = request.method == "POST"
    # ?patent_type=design opens the page for a design (its Locarno input, its documents).
    initial = {"patent_type": request.GET["patent_type"]} if request.GET.get("patent_type") in PatentType.values else {}
    form = CaseForm(request.POST if bound else None, request.FILES if bound else None, user=request.user,
                    initial=initial)
    if bound and form.is_valid():
        data = form.cleaned_data
        # The service checks every file itself (it takes uploaded files); the form checked them
        # first so a refused file is reported next to its input.
        documents = {kind: request.FILES.getlist(kind) for kind in DocumentKind.values if request.FILES.getlist(kind)}
        try:
            detail, created = pre_exam_submit(
                user=request.user, organization=data["organization"], patent_type=data["patent_type"],
                title=data["title"], abstract=data["abstract"], ipc_codes=data["ipc_codes"],
                locarno_codes=data["locarno_codes"], field=data["field"],
                documents=documents, application_kind=data["application_kind"], agency=data["agency"],
                agent=data["agent"], idempotency_key=data["idempotency_key"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        except ValidationError as exc:
            apply_upload_error(form, exc)
        else:
            return _submitted(request, detail, created)
    return render(request, "pre_exam/case_form.html", {
        "form": form, "has_organizations": form.fields["organization"].queryset.exists(), **_type_context(form),
    })


# --- 优先审查 ------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def priority_new(request):
    """Ask the center to recommend an application filed at CNIPA for prioritized examination (PER)."""
    quota = {f.pk: quota_left(f) for f in active_fields()}
    bound = request.method == "POST"
    form = PriorityForm(request.POST if bound else None, request.FILES if bound else None, user=request.user,
                        quota=quota)
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            request_, created = priority_submit(
                user=request.user, organization=data["organization"], application_number=data["application_number"],
                title=data["title"], field=data["field"], ground=data["ground"], ground_detail=data["ground_detail"],
                search_report=request.FILES.get("search_report"), idempotency_key=data["idempotency_key"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        except ValidationError as exc:
            apply_upload_error(form, exc, "search_report")
        else:
            return _submitted(request, request_, created)
    return render(request, "pre_exam/priority_form.html", {
        "form": form, "has_organizations": form.fields["organization"].queryset.exists(),
        "year": timezone.localdate().year,
    })


@require_GET
def priority_quota(request, number):
    """The field's recommendations left this year, drawn into the request's page (HTMX)."""
    case = _visible_case(request, number, service="PER")
    detail = case.detail
    return render(request, "pre_exam/case_per.html#quota", {
        "detail": detail, "quota_left": quota_left(detail.field), "year": timezone.localdate().year,
    })


# --- the applicant's steps on a case ------------------------------------------------------------

def _visible_case(request, number, *, service: str):
    """The case if the user may see it: a stranger gets 404, as for a number that does not exist."""
    case = get_object_or_404(cases_visible_to(request.user), number=number, service=service)
    if not request.user.has_perm("core.view_case", case):
        raise PermissionDenied
    return case


def _transition_check(case, detail, user, name: str) -> None:
    """The user may take `name` now, else: 403 when the step is open but not to them (an
    examiner posting the applicant's reply), a WorkflowError when the case is past it."""
    if any(t["name"] == name for t in available_transitions(detail, user)):
        return
    if any(t.name == name for t in detail.get_available_state_transitions()):
        raise PermissionDenied
    raise WorkflowError("transition_not_allowed", _(
        "This action is not possible now: the case is “%(state)s”. Reload the page to see its current state.")
        % {"state": case.status_label})


def _form_messages(form) -> list[str]:
    found = list(form.non_field_errors())
    for name, errors in form.errors.items():
        if name != "__all__":
            found.extend(f"{form[name].label}: {e}" for e in errors)
    return found


def _panel(request, case, detail, **forms):
    """The applicant panel again, with the forms' errors (HTMX); without HTMX there is no panel
    to redraw: back to the case page, the reasons as messages."""
    if not request.htmx:
        for form in forms.values():
            for message in _form_messages(form):
                messages.error(request, message)
        return redirect(case)
    return render(request, "pre_exam/_applicant_panel.html", {
        "case": case, "detail": detail, "transitions": available_transitions(detail, request.user),
        "attachments": attachments_for(case, request.user), **forms,
    })


def _reload(request, case, error: str):
    """The page was stale (the case has moved past the step): show the case as it is now."""
    messages.error(request, error)
    if request.htmx:
        return HttpResponseClientRedirect(case.get_absolute_url())
    return redirect(case)


def _done(request, case, message: str):
    case.refresh_from_db()
    messages.success(request, message % {"status": case.status_label})
    if request.htmx:
        return HttpResponseClientRedirect(case.get_absolute_url())
    return redirect(case)


@require_POST
def case_reply(request, number):
    """Reply to the open correction notice, with any revised documents.

    Uploads and the step are one transaction: refused, no file of the reply stays (the rows
    roll back, and the files written meanwhile are deleted)."""
    case = _visible_case(request, number, service="PE")
    detail = case.detail
    form = ReplyForm(request.POST, request.FILES)
    try:
        _transition_check(case, detail, request.user, "reply")
    except WorkflowError as exc:
        return _reload(request, case, exc.message)
    if not form.is_valid():
        return _panel(request, case, detail, reply_form=form)
    try:
        pre_exam_reply(detail=detail, user=request.user, text=form.cleaned_data["text"],
                       documents=form.document_uploads())
    except WorkflowError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        apply_workflow_error(form, exc, field_map={"comment": "text"})
        return _panel(request, case, detail, reply_form=form)
    except ValidationError as exc:  # e.g. the case already holds the most files allowed
        apply_upload_error(form, exc)
        return _panel(request, case, detail, reply_form=form)
    return _done(request, case, _("Your reply was sent: the case is now “%(status)s”."))


@require_POST
def case_record_filing(request, number):
    """Record the application number and filing date CNIPA gave the qualified application."""
    case = _visible_case(request, number, service="PE")
    detail = case.detail
    form = RecordFilingForm(request.POST)
    try:
        _transition_check(case, detail, request.user, "record_filing")
    except WorkflowError as exc:
        return _reload(request, case, exc.message)
    if not form.is_valid():
        return _panel(request, case, detail, filing_form=form)
    try:
        case_transition(detail=detail, name="record_filing", actor=request.user, payload=form.payload())
    except WorkflowError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        apply_workflow_error(form, exc)
        return _panel(request, case, detail, filing_form=form)
    return _done(request, case, _("The CNIPA filing was recorded: the case is now “%(status)s”."))


urlpatterns = [
    path("filing/new/", filing_new, name="filing_new"),
    path("filings/", filing_list, name="filing_list"),
    path("cases/new/", case_new, name="case_new"),
    path("priority/new/", priority_new, name="priority_new"),
    path("priority/<str:number>/quota/", priority_quota, name="priority_quota"),
    path("cases/<str:number>/reply/", case_reply, name="case_reply"),
    path("cases/<str:number>/cnipa/", case_record_filing, name="case_record_filing"),
]
