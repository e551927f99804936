"""Pages of open licences (开放许可, service RVL): the public list of published offers with
filters and its Excel export, the declaration form for the holder's members, an offer's page
(take a licence in one step), the correction of a returned declaration, and the evaluation
report's download (public while the offer is). Publication, return, resubmission and
withdrawal are plain steps taken on the portal's case page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhibao.accounts.models import Organization
from zhibao.core.attachments.forms import AttachmentField
from zhibao.core.attachments.views import content_disposition
from zhibao.core.forms import IdempotentForm, apply_workflow_error
from zhibao.core.services.cases import WorkflowError
from zhibao.patents.choices import PatentType

from ..choices import FeeMethod, OpenLicenceState
from ..exports import market as exports
from ..models import KeyIndustry, PoolPatent
from ..rules import member_of
from ..selectors.market import grants_visible_to, open_licences_published, open_licences_visible_to
from ..services.licences import open_licence_declare, open_licence_take, open_licence_update


class LicenceFilterForm(forms.Form):
    patent_type = forms.ChoiceField(label=gettext_lazy("Patent type"), required=False,
                                    choices=[("", gettext_lazy("All types")), *PatentType.choices])
    key_industry = forms.ModelChoiceField(label=gettext_lazy("Key industry"), required=False, to_field_name="code",
                                          queryset=KeyIndustry.objects.filter(active=True),
                                          empty_label=gettext_lazy("All industries"))
    fee_method = forms.ChoiceField(label=gettext_lazy("Fee method"), required=False,
                                   choices=[("", gettext_lazy("All fee methods")), *FeeMethod.choices])
    q = forms.CharField(label=gettext_lazy("Patent, title or holder"), required=False, max_length=100)

    def filter(self, qs):
        from django.db.models import Q

        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        if d.get("patent_type"):
            qs = qs.filter(pool_patent__patent__patent_type=d["patent_type"])
        if d.get("key_industry"):
            qs = qs.filter(pool_patent__industries=d["key_industry"]).distinct()
        if d.get("fee_method"):
            qs = qs.filter(fee_method=d["fee_method"])
        if d.get("q"):
            q = d["q"].strip()
            qs = qs.filter(Q(pool_patent__patent__publication_number__icontains=q)
                           | Q(pool_patent__patent__title__icontains=q) | Q(holder__name__icontains=q))
        return qs


def open_licences_filtered(params):
    form = LicenceFilterForm(params or None)
    return form, form.filter(open_licences_published().order_by("-published_at", "-pk"))


class DeclarationForm(IdempotentForm):
    fee_method = forms.ChoiceField(label=gettext_lazy("Fee method"), choices=FeeMethod.choices)
    lump_sum = forms.DecimalField(label=gettext_lazy("Lump sum or down payment (10,000 yuan)"), required=False,
                                  max_digits=12, decimal_places=2)
    royalty_rate = forms.DecimalField(label=gettext_lazy("Royalty (per cent of sales)"), required=False, max_digits=5,
                                      decimal_places=2)
    term_years = forms.IntegerField(label=gettext_lazy("Licence term (years)"), min_value=1, max_value=20)
    terms = forms.CharField(label=gettext_lazy("Other terms"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 4}))
    evaluation_report = AttachmentField(kind="rv_evaluation_report", label=gettext_lazy("Patent evaluation report"),
                                        required=False,
                                        help_text=gettext_lazy("Required for a utility model or design patent "
                                                               "(专利法 第五十条第一款); PDF."))


class TakeForm(forms.Form):
    organization = forms.ModelChoiceField(label=gettext_lazy("Enterprise"), queryset=Organization.objects.none(),
                                          empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(memberships__user=user).distinct()


@require_GET
def open_licence_list(request):
    form, licences = open_licences_filtered(request.GET)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(exports.open_licences_workbook(licences), content_type=exports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition(exports.filename("open-licences"))
        return response
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "revitalization/licence_list.html", {
        "form": form, "page": Paginator(licences, 20).get_page(request.GET.get("page")), "query": query.urlencode(),
    })


@require_http_methods(["GET", "POST"])
def open_licence_new(request):
    """Declare an open licence for a pool patent your organization holds (?pool_patent=pk)."""
    held = (PoolPatent.objects.listed().filter(holder__memberships__user=request.user)
            .select_related("patent", "holder").distinct())
    pool_patent = None
    raw = request.POST.get("pool_patent") or request.GET.get("pool_patent")
    if raw and str(raw).isdigit() and len(str(raw)) <= 18:  # a bigint, not an overflow
        pool_patent = held.filter(pk=int(raw)).first()
    bound = request.method == "POST" and pool_patent is not None
    form = DeclarationForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        d = form.cleaned_data
        try:
            declaration, created = open_licence_declare(
                pool_patent=pool_patent, user=request.user, fee_method=d["fee_method"], lump_sum=d["lump_sum"],
                royalty_rate=d["royalty_rate"], term_years=d["term_years"], terms=d["terms"],
                evaluation_report=d["evaluation_report"], idempotency_key=d["idempotency_key"])
        except WorkflowError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message)
            apply_workflow_error(form, exc)
        except ValidationError as exc:
            form.add_error("evaluation_report", exc.messages)
        else:
            if created:
                messages.success(request, _("Submitted as case %(number)s.") % {"number": declaration.case.number})
            else:
                messages.info(request, _("This was already submitted as case %(number)s.")
                              % {"number": declaration.case.number})
            return redirect(declaration.case)
    return render(request, "revitalization/licence_form.html", {
        "form": form, "pool_patent": pool_patent, "held": held[:200], "declaration": None,
    })


def _visible(request, number):
    return get_object_or_404(open_licences_visible_to(request.user), case__number=number)


@require_GET
def open_licence_detail(request, number):
    ol = _visible(request, number)
    is_holder = member_of(request.user, ol.holder_id)
    take_form = TakeForm(user=request.user)
    take_form.fields["organization"].queryset = take_form.fields["organization"].queryset.exclude(pk=ol.holder_id)
    return render(request, "revitalization/licence_detail.html", {
        "ol": ol, "is_holder": is_holder,
        "take_form": take_form if ol.state == OpenLicenceState.PUBLISHED and not is_holder
        and take_form.fields["organization"].queryset.exists() else None,
        "reports": ol.case.attachments.filter(kind="rv_evaluation_report").order_by("-created_at"),
        "grants": grants_visible_to(request.user).filter(open_licence=ol).order_by("-granted_on"),
        "grants_count": ol.grants.count(),
    })


@require_POST
def open_licence_take_view(request, number):
    ol = _visible(request, number)
    form = TakeForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose your enterprise."))
        return redirect("revitalization:open_licence_detail", number)
    try:
        grant = open_licence_take(open_licence=ol, licensee=form.cleaned_data["organization"], user=request.user)
    except WorkflowError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        messages.error(request, exc.message)
        return redirect("revitalization:open_licence_detail", number)
    deal = grant.open_licence.deals.filter(buyer=grant.licensee).order_by("-pk").first()
    messages.success(request, _("You hold the licence until %(date)s; the notice is on the deal's page.")
                     % {"date": grant.ends_on.isoformat()})
    return redirect("revitalization:deal_detail", deal.case.number)


@require_http_methods(["GET", "POST"])
def open_licence_edit(request, number):
    """Correct a returned declaration (then resubmit it on the case page)."""
    ol = _visible(request, number)
    if not member_of(request.user, ol.holder_id) and ol.case.applicant_id != request.user.pk:
        raise Http404
    bound = request.method == "POST"
    form = DeclarationForm(request.POST if bound else None, request.FILES if bound else None, initial={
        "fee_method": ol.fee_method, "lump_sum": ol.lump_sum, "royalty_rate": ol.royalty_rate,
        "term_years": ol.term_years, "terms": ol.terms})
    if bound and form.is_valid():
        d = form.cleaned_data
        try:
            open_licence_update(open_licence=ol, user=request.user, fee_method=d["fee_method"], lump_sum=d["lump_sum"],
                                royalty_rate=d["royalty_rate"], term_years=d["term_years"], terms=d["terms"],
                                evaluation_report=d["evaluation_report"])
        except WorkflowError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message)
            apply_workflow_error(form, exc)
        except ValidationError as exc:
            form.add_error("evaluation_report", exc.messages)
        else:
            messages.success(request, _("The declaration was corrected: resubmit it on the case page."))
            return redirect(ol.case)
    return render(request, "revitalization/licence_form.html", {
        "form": form, "pool_patent": ol.pool_patent, "held": [], "declaration": ol,
    })


@require_GET
def open_licence_report(request, number, pk):
    """The evaluation report of an offer, for whoever may see the offer (it is part of the
    public declaration)."""
    ol = _visible(request, number)
    attachment = get_object_or_404(ol.case.attachments.filter(kind="rv_evaluation_report"), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


urlpatterns = [
    path("open-licences/", open_licence_list, name="open_licence_list"),
    path("open-licences/new/", open_licence_new, name="open_licence_new"),
    path("open-licences/<str:number>/", open_licence_detail, name="open_licence_detail"),
    path("open-licences/<str:number>/take/", open_licence_take_view, name="open_licence_take"),
    path("open-licences/<str:number>/edit/", open_licence_edit, name="open_licence_edit"),
    path("open-licences/<str:number>/reports/<uuid:pk>/", open_licence_report, name="open_licence_report"),
]
