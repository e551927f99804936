"""Pages of roadshows (路演): the list (upcoming / past, filtered, with its Excel export) and a
roadshow's page for everyone signed in; registration and its cancellation for enterprises; the
operators' form, registrations table (with its Excel export), attendance and cancellation;
intents on presented patents."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhibao.accounts.choices import OrganizationKind
from zhibao.accounts.models import Organization
from zhibao.core.attachments.views import content_disposition
from zhibao.core.forms import IdempotentForm, apply_workflow_error
from zhibao.core.services.cases import WorkflowError

from ..choices import DealKind, RoadshowState
from ..exports import market as exports
from ..models import KeyIndustry, PoolPatent
from ..rules import is_operator
from ..selectors.market import (
    registrations_visible_to,
    roadshows_filtered,
    roadshows_visible_to,
    roadshows_with_figures,
)
from ..services.roadshows import (
    roadshow_attendance_record,
    roadshow_cancel,
    roadshow_create,
    roadshow_intent,
    roadshow_register,
    roadshow_registration_cancel,
    roadshow_update,
)


class RoadshowForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts at"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                               format="%Y-%m-%dT%H:%M"))  # what the input reads
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=gettext_lazy("Online address"), required=False, assume_scheme="https")
    key_industry = forms.ModelChoiceField(label=gettext_lazy("Key industry"), required=False,
                                          queryset=KeyIndustry.objects.filter(active=True))
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    patents = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Patents presented"), required=False,
        queryset=PoolPatent.objects.listed().select_related("patent"),
        help_text=gettext_lazy("Listed pool patents; hold Ctrl to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 8}))


class RegisterForm(forms.Form):
    organization = forms.ModelChoiceField(label=gettext_lazy("Enterprise"), queryset=Organization.objects.none(),
                                          empty_label=None)
    attendees = forms.IntegerField(label=gettext_lazy("People"), min_value=1, max_value=50, initial=1)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            memberships__user=user, kind=OrganizationKind.ENTERPRISE).distinct()


class RoadshowIntentForm(IdempotentForm):
    pool_patent = forms.IntegerField(widget=forms.HiddenInput)
    organization = forms.ModelChoiceField(label=gettext_lazy("Enterprise"), queryset=Organization.objects.none(),
                                          empty_label=None)
    kind = forms.ChoiceField(label=gettext_lazy("I want"), choices=[(DealKind.ASSIGNMENT, DealKind.ASSIGNMENT.label),
                                                                     (DealKind.LICENCE, DealKind.LICENCE.label)])
    note = forms.CharField(label=gettext_lazy("Message to the holder"), required=False, max_length=2000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(memberships__user=user).distinct()


def _operator(request) -> None:
    if not is_operator(request.user):
        raise PermissionDenied


def _error(request, exc: WorkflowError) -> None:
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)


def _filtered(request):
    """The list's filter and rows, for the page and its export alike: the tabs are `when`, and
    the page opens on the upcoming roadshows."""
    data = request.GET.copy()
    if not data.get("when"):
        data["when"] = "upcoming"
    return roadshows_filtered(roadshows_visible_to(request.user), data)


@require_GET
def roadshow_list(request):
    filterset, rows = _filtered(request)
    when = filterset.data["when"]
    return render(request, "revitalization/roadshow_list.html", {
        "filter": filterset, "page": Paginator(rows, 20).get_page(request.GET.get("page")),
        "past": when == "past", "may_create": is_operator(request.user),
        "export_query": _tab_query(request.GET, when),
        "tab_query": {tab: _tab_query(request.GET, tab) for tab in ("upcoming", "past")},
    })


def _tab_query(data, when: str) -> str:
    query = data.copy()
    query.pop("page", None)
    query["when"] = when
    return query.urlencode()


@require_GET
def roadshow_export(request):
    """The list as the page filters it (“导出 Excel”), with each roadshow's figures: who may see
    the list may export it, and a deal counts only for whoever may see it."""
    filterset, rows = _filtered(request)
    rows = roadshows_with_figures(rows.select_related("key_industry"), request.user)
    response = HttpResponse(exports.roadshows_workbook(rows), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(exports.filename("roadshows"))
    return response


@require_http_methods(["GET", "POST"])
def roadshow_new(request, pk=None):
    _operator(request)
    roadshow = get_object_or_404(roadshows_visible_to(request.user), pk=pk) if pk else None
    bound = request.method == "POST"
    initial = {}
    if roadshow is not None:
        initial = {"title": roadshow.title, "starts_at": timezone.localtime(roadshow.starts_at), "place": roadshow.place,
                   "online_url": roadshow.online_url, "key_industry": roadshow.key_industry,
                   "description": roadshow.description, "patents": list(roadshow.patents.all())}
    form = RoadshowForm(request.POST if bound else None, initial=initial)
    if bound and form.is_valid():
        d = form.cleaned_data
        try:
            if roadshow is None:
                roadshow = roadshow_create(actor=request.user, **d)
            else:
                roadshow = roadshow_update(roadshow=roadshow, actor=request.user, **d)
        except WorkflowError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message)
            apply_workflow_error(form, exc)
        else:
            messages.success(request, _("The roadshow is published."))
            return redirect("revitalization:roadshow_detail", roadshow.pk)
    return render(request, "revitalization/roadshow_form.html", {"form": form, "roadshow": roadshow})


@require_GET
def roadshow_detail(request, pk):
    roadshow = get_object_or_404(roadshows_visible_to(request.user), pk=pk)
    now = timezone.now()
    mine = registrations_visible_to(request.user).filter(roadshow=roadshow)
    if is_operator(request.user):
        mine = mine.none()
    register_form = RegisterForm(user=request.user)
    open_for_registration = roadshow.state == RoadshowState.PLANNED and roadshow.starts_at > now
    started = roadshow.starts_at <= now and roadshow.state != RoadshowState.CANCELLED
    return render(request, "revitalization/roadshow_detail.html", {
        "roadshow": roadshow, "patents": roadshow.patents.select_related("patent", "holder"),
        "my_registrations": mine, "register_form": register_form if open_for_registration
        and register_form.fields["organization"].queryset.exists() else None,
        "open_for_registration": open_for_registration, "started": started,
        "intent_form": RoadshowIntentForm(user=request.user) if started else None,
        "is_operator": is_operator(request.user),
        "registrations_count": roadshow.registrations.count(),
    })


@require_POST
def roadshow_register_view(request, pk):
    roadshow = get_object_or_404(roadshows_visible_to(request.user), pk=pk)
    form = RegisterForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose your enterprise and the number of people (1 to 50)."))
        return redirect("revitalization:roadshow_detail", pk)
    try:
        _reg, created = roadshow_register(roadshow=roadshow, organization=form.cleaned_data["organization"],
                                          user=request.user, attendees=form.cleaned_data["attendees"])
    except WorkflowError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Registered.") if created else _("The registration was updated."))
    return redirect("revitalization:roadshow_detail", pk)


@require_POST
def roadshow_unregister(request, pk, registration):
    reg = get_object_or_404(registrations_visible_to(request.user), pk=registration, roadshow_id=pk)
    try:
        roadshow_registration_cancel(registration=reg, user=request.user)
    except WorkflowError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The registration was cancelled."))
    return redirect("revitalization:roadshow_detail", pk)


@require_POST
def roadshow_cancel_view(request, pk):
    _operator(request)
    roadshow = get_object_or_404(roadshows_visible_to(request.user), pk=pk)
    try:
        roadshow_cancel(roadshow=roadshow, actor=request.user, reason=request.POST.get("reason", "")[:2000])
    except WorkflowError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The roadshow was cancelled; the registered enterprises are told."))
    return redirect("revitalization:roadshow_detail", pk)


@require_http_methods(["GET", "POST"])
def roadshow_registrations(request, pk):
    """The operators' table of registrations, attendance after the event, and its Excel export."""
    _operator(request)
    roadshow = get_object_or_404(roadshows_visible_to(request.user), pk=pk)
    registrations = (registrations_visible_to(request.user).filter(roadshow=roadshow)
                     .order_by("created_at", "pk"))
    if request.method == "POST":
        attended = {r.pk: request.POST.get(f"attended-{r.pk}") == "1" for r in registrations}
        try:
            roadshow_attendance_record(roadshow=roadshow, actor=request.user, attended=attended)
        except WorkflowError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Attendance recorded: the roadshow is held."))
        return redirect("revitalization:roadshow_registrations", pk)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(exports.registrations_workbook(roadshow, registrations),
                                content_type=exports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition(exports.filename(f"roadshow-{roadshow.pk}"))
        return response
    return render(request, "revitalization/roadshow_registrations.html", {
        "roadshow": roadshow, "registrations": registrations,
        "people": sum(r.attendees for r in registrations),
        "may_record": roadshow.starts_at <= timezone.now() and roadshow.state != RoadshowState.CANCELLED,
    })


@require_POST
def roadshow_intent_view(request, pk):
    roadshow = get_object_or_404(roadshows_visible_to(request.user), pk=pk)
    form = RoadshowIntentForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose your organization and what you want."))
        return redirect("revitalization:roadshow_detail", pk)
    d = form.cleaned_data
    pool_patent = get_object_or_404(roadshow.patents.all(), pk=d["pool_patent"])
    try:
        deal, created = roadshow_intent(roadshow=roadshow, pool_patent=pool_patent, buyer=d["organization"],
                                        user=request.user, kind=d["kind"], note=d["note"],
                                        idempotency_key=d["idempotency_key"])
    except WorkflowError as exc:
        _error(request, exc)
        return redirect("revitalization:roadshow_detail", pk)
    messages.success(request, _("Your intent was sent to the holder as deal %(number)s.") % {"number": deal.case.number})
    return redirect("revitalization:deal_detail", deal.case.number)


urlpatterns = [
    path("roadshows/", roadshow_list, name="roadshow_list"),
    path("roadshows/export.xlsx", roadshow_export, name="roadshow_export"),
    path("roadshows/new/", roadshow_new, name="roadshow_new"),
    path("roadshows/<int:pk>/", roadshow_detail, name="roadshow_detail"),
    path("roadshows/<int:pk>/edit/", roadshow_new, name="roadshow_edit"),
    path("roadshows/<int:pk>/register/", roadshow_register_view, name="roadshow_register"),
    path("roadshows/<int:pk>/registrations/<int:registration>/cancel/", roadshow_unregister,
         name="roadshow_unregister"),
    path("roadshows/<int:pk>/cancel/", roadshow_cancel_view, name="roadshow_cancel"),
    path("roadshows/<int:pk>/registrations/", roadshow_registrations, name="roadshow_registrations"),
    path("roadshows/<int:pk>/intent/", roadshow_intent_view, name="roadshow_intent"),
]
