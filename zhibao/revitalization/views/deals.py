"""Pages of deals (交易, service RVT): the enterprise's “express intent” page on a pool patent,
the deal list (mine, or all for the center) with its Excel export, and the deal page where
both parties and the operators take the steps, download the filled-in contract and upload
the signed scan. The holder is not the case's organization, so this page (not the portal's
case page) is where it works; visibility is deals_visible_to for everyone."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhibao.accounts.models import Organization
from zhibao.core.attachments.forms import AttachmentField
from zhibao.core.attachments.views import content_disposition
from zhibao.core.forms import IdempotentForm, apply_workflow_error
from zhibao.core.services.cases import WorkflowError, available_transitions, case_transition

from ..choices import DealKind, DealState
from ..exports import market as exports
from ..models import PoolPatent
from ..rules import deal_party, member_of
from ..selectors.market import deals_visible_to, sees_all_market
from ..services.deals import (
    DOCX_CONTENT_TYPE,
    contract_filename,
    deal_contract_docx,
    deal_contract_upload,
    deal_start,
)


def verified_organizations(user):
    return Organization.objects.filter(memberships__user=user).distinct().order_by("name")


# --- forms ---------------------------------------------------------------------------------

class IntentForm(IdempotentForm):
    organization = forms.ModelChoiceField(label=gettext_lazy("Enterprise"), queryset=Organization.objects.none(),
                                          empty_label=None)
    kind = forms.ChoiceField(label=gettext_lazy("I want"), choices=[(DealKind.ASSIGNMENT, DealKind.ASSIGNMENT.label),
                                                                     (DealKind.LICENCE, DealKind.LICENCE.label)])
    note = forms.CharField(label=gettext_lazy("Message to the holder"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    # The pushed match (供需对接) the intent answers, when it comes from a recommendation.
    match = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = verified_organizations(user)


# An <input type="date"> reads and writes only YYYY-MM-DD: rendered in the locale's format
# (2026/12/07 in Chinese) the browser shows it empty and, the field being required, refuses to
# submit the form without a word.
ISO_DATE = "%Y-%m-%d"


class SignForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of contract"),
                             choices=[(DealKind.ASSIGNMENT, DealKind.ASSIGNMENT.label),
                                      (DealKind.LICENCE, DealKind.LICENCE.label)])
    amount = forms.DecimalField(label=gettext_lazy("Amount (10,000 yuan)"), required=False, min_value=0,
                                max_digits=12, decimal_places=2)
    free = forms.BooleanField(label=gettext_lazy("Free of charge"), required=False)
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
    starts_on = forms.DateField(label=gettext_lazy("Licence from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
    ends_on = forms.DateField(label=gettext_lazy("Licence until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000)

    def payload(self) -> dict:
        d = self.cleaned_data
        return {"kind": d["kind"], "amount": str(d["amount"]) if d.get("amount") is not None else "",
                "free": d.get("free", False), "signed_on": d["signed_on"].isoformat(),
                "starts_on": d["starts_on"].isoformat() if d.get("starts_on") else "",
                "ends_on": d["ends_on"].isoformat() if d.get("ends_on") else ""}


class RecordForm(forms.Form):
    recordal_number = forms.CharField(label=gettext_lazy("CNIPA recordal number"), max_length=40)
    recorded_on = forms.DateField(label=gettext_lazy("Recorded on"), widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000)

    def payload(self) -> dict:
        return {"recordal_number": self.cleaned_data["recordal_number"],
                "recorded_on": self.cleaned_data["recorded_on"].isoformat()}


class StepForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ScanForm(forms.Form):
    file = AttachmentField(kind="rv_contract", label=gettext_lazy("Signed contract (scan)"))


class DealFilterForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("All states")), *DealState.choices])
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", gettext_lazy("All kinds")), *DealKind.choices])
    q = forms.CharField(label=gettext_lazy("Patent, title or party"), required=False, max_length=100)

    def filter(self, qs):
        from django.db.models import Q

        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        if d.get("state"):
            qs = qs.filter(state=d["state"])
        if d.get("kind"):
            qs = qs.filter(kind=d["kind"])
        if d.get("q"):
            q = d["q"].strip()
            qs = qs.filter(Q(pool_patent__patent__publication_number__icontains=q) | Q(case__number__icontains=q)
                           | Q(pool_patent__patent__title__icontains=q) | Q(seller__name__icontains=q)
                           | Q(buyer__name__icontains=q))
        return qs


def deals_filtered(request):
    form = DealFilterForm(request.GET or None)
    qs = deals_visible_to(request.user).order_by("-case__submitted_at", "-pk")
    return form, (form.filter(qs) if form.is_bound else qs)


# --- pages ---------------------------------------------------------------------------------

def _pushed_match(request, pool_patent, value):
    """The pushed match on this patent that the intent answers (`?match=`), for the enterprise
    side of it; none given, None; one the user may not see, or of another patent, 404."""
    if value in (None, ""):
        return None
    if not str(value).isdigit() or int(value) > 2**63 - 1:
        raise Http404
    from ..choices import MatchState
    from ..selectors.demands import matches_visible_to

    return get_object_or_404(matches_visible_to(request.user).select_related("demand__organization"),
                             pk=int(value), pool_patent=pool_patent, state=MatchState.PUSHED,
                             demand__organization__memberships__user=request.user)


@require_http_methods(["GET", "POST"])
def pool_intent(request, pk):
    """“Express intent” on a listed pool patent: the deal is opened at once (state intent)."""
    pool_patent = get_object_or_404(PoolPatent.objects.listed().select_related("patent", "holder"), pk=pk)
    bound = request.method == "POST"
    match = _pushed_match(request, pool_patent, request.POST.get("match") if bound else request.GET.get("match"))
    initial = {}
    if match is not None:
        # The kind the demand asked for and the holder offers, first; the enterprise may change it.
        offered = [k for k in (DealKind.ASSIGNMENT, DealKind.LICENCE)
                   if not pool_patent.modes or k in pool_patent.modes]
        wanted = [k for k in offered if k in (match.demand.modes or ())]
        initial = {"match": match.pk, "organization": match.demand.organization_id,
                   "kind": (wanted or offered or [None])[0]}
    form = IntentForm(request.POST if bound else None, user=request.user, initial=initial)
    if bound and form.is_valid():
        d = form.cleaned_data
        try:
            deal, created = deal_start(pool_patent=pool_patent, buyer=d["organization"], user=request.user,
                                       kind=d["kind"], note=d["note"], idempotency_key=d["idempotency_key"],
                                       match=match)
        except WorkflowError as exc:
            apply_workflow_error(form, exc, field_map={"organization": "organization"})
        else:
            if created:
                messages.success(request, _("Your intent was sent to the holder as deal %(number)s.")
                                 % {"number": deal.case.number})
            else:
                messages.info(request, _("This was already submitted as case %(number)s.") % {"number": deal.case.number})
            return redirect("revitalization:deal_detail", deal.case.number)
    return render(request, "revitalization/deal_intent.html", {
        "pool_patent": pool_patent, "form": form, "match": match,
        "is_holder": member_of(request.user, pool_patent.holder_id),
        "has_organizations": form.fields["organization"].queryset.exists(),
    })


@require_GET
def deal_list(request):
    form, deals = deals_filtered(request)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(exports.deals_workbook(deals), content_type=exports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition(exports.filename("deals"))
        return response
    page = Paginator(deals, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "revitalization/deal_list.html", {
        "form": form, "page": page, "all": sees_all_market(request.user), "query": query.urlencode(),
    })


def visible_deal(request, number):
    return get_object_or_404(deals_visible_to(request.user), case__number=number)


@require_GET
def deal_detail(request, number):
    deal = visible_deal(request, number)
    transitions = available_transitions(deal, request.user)
    names = {t["name"] for t in transitions}
    today = timezone.localdate()
    return render(request, "revitalization/deal_detail.html", {
        "deal": deal, "case": deal.case, "transitions": transitions,
        "plain_transitions": [t for t in transitions if not t["form"]],
        "step_form": StepForm(),
        "sign_form": SignForm(initial={"kind": deal.kind if deal.kind != DealKind.OPEN_LICENCE else DealKind.LICENCE,
                                       "signed_on": today, "starts_on": today}) if "sign" in names else None,
        "record_form": RecordForm(initial={"recorded_on": today}) if "record" in names else None,
        "scan_form": ScanForm() if deal_party(deal, request.user) and deal.state != DealState.INTENT
        and deal.state != DealState.CANCELLED else None,
        "attachments": deal.case.attachments.select_related("uploaded_by").order_by("created_at"),
        "events": deal.case.events.select_related("actor"),
    })


@require_POST
def deal_step(request, number, name):
    """Take a step on the deal: plain steps with a comment, sign and record with their forms."""
    deal = visible_deal(request, number)
    form_class = {"sign": SignForm, "record": RecordForm}.get(name, StepForm)
    form = form_class(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errors:
                messages.error(request, f"{label}: {e}" if label else e)
        return redirect("revitalization:deal_detail", number)
    payload = form.payload() if hasattr(form, "payload") else {}
    try:
        deal = case_transition(detail=deal, name=name, actor=request.user, comment=form.cleaned_data.get("comment", ""),
                               payload=payload)
    except WorkflowError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        messages.error(request, exc.message)
        for errors in (exc.fields or {}).values():
            for e in errors:
                messages.error(request, e)
    else:
        messages.success(request, _("Done: the case is now “%(status)s”.") % {"status": deal.get_state_display()})
    return redirect("revitalization:deal_detail", number)


@require_GET
def deal_contract(request, number):
    """The contract filled from the deal as it is now (DOCX), for the parties and the center."""
    deal = visible_deal(request, number)
    response = HttpResponse(deal_contract_docx(deal), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(contract_filename(deal))
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def deal_scan(request, number):
    deal = visible_deal(request, number)
    form = ScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            deal_contract_upload(deal=deal, uploaded_file=form.cleaned_data["file"], user=request.user)
        except WorkflowError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message)
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("The signed contract was uploaded."))
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect("revitalization:deal_detail", number)


@require_GET
def deal_file(request, number, pk):
    """A file of the deal's case, for whoever may see the deal (the holder is not the case's
    organization, so the kernel's download would not let it in)."""
    deal = visible_deal(request, number)
    attachment = get_object_or_404(deal.case.attachments, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def deal_file_url(deal, attachment) -> str:
    return reverse("revitalization:deal_file", args=[deal.case.number, attachment.pk])


urlpatterns = [
    path("pool/<int:pk>/intent/", pool_intent, name="pool_intent"),
    path("deals/", deal_list, name="deal_list"),
    path("deals/<str:number>/", deal_detail, name="deal_detail"),
    path("deals/<str:number>/steps/<slug:name>/", deal_step, name="deal_step"),
    path("deals/<str:number>/contract.docx", deal_contract, name="deal_contract"),
    path("deals/<str:number>/scan/", deal_scan, name="deal_scan"),
    path("deals/<str:number>/files/<uuid:pk>/", deal_file, name="deal_file"),
]
