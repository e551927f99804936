"""Pages of the convertible pool (可转化专利资源库) and its grading (分级分类).

- Everybody signed in: the pool's list (the corpus search language, filters, sort, Excel) and a
  pool patent's page — the particulars, the holder, what is offered, the grade explained factor
  by factor adding up to the score, the enterprises' evaluations; an enterprise rates it and
  contacts the holder through the platform.
- The holder's members: edit the listing, withdraw and relist it, answer contact requests
  (on the patent's page and on “our pool patents”).
- Operators: the grading settings (weights per factor, thresholds, evaluations needed); saving
  queues the regrade of the whole pool and the page shows its progress.

The forms check the shape of the input; the services decide, and their refusals
(WorkflowError) are put back on the form, the message on top and each field's next to it.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhibao.core.forms import apply_workflow_error
from zhibao.core.services.cases import WorkflowError

from ..choices import CooperationMode, Grade, OperationKind, PoolStatus
from ..exports import pool as exports
from ..grading import FACTORS
from ..models import ContactRequest, GradingConfig
from ..rules import is_operator
from ..selectors.pool import (
    SORTS,
    holder_contact_checker,
    is_search,
    may_see_holder_contact,
    pool_filtered,
    pool_patents_held_by,
    pool_patents_listed,
    pool_patents_visible_to,
    sees_all,
)
from ..services import pool as service
from ..services.operations import operation_record

PAGE_SIZE = 20

# --- forms ---------------------------------------------------------------------------------------


class ListingForm(forms.Form):
    """How the holder offers the patent."""

    modes = forms.MultipleChoiceField(label=gettext_lazy("Offered for"), choices=CooperationMode.choices,
                                      widget=forms.CheckboxSelectMultiple, required=False)
    asking_price = forms.DecimalField(label=gettext_lazy("Asking price (10,000 yuan)"), required=False,
                                      min_value=0, max_digits=12, decimal_places=2,
                                      help_text=gettext_lazy("Leave empty for “negotiable”."))
    description = forms.CharField(label=gettext_lazy("Description for enterprises"), required=False,
                                  max_length=service.MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=gettext_lazy("What the technology does, its maturity (lab, pilot, "
                                                         "production), what the holder offers with it."))
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=30, required=False,
                                    help_text=gettext_lazy("Shown to your organization and the center only; "
                                                           "enterprises reach you through the platform."))


class EvaluationForm(forms.Form):
    organization = forms.ModelChoiceField(label=gettext_lazy("Enterprise"), queryset=None, empty_label=None)
    rating = forms.TypedChoiceField(label=gettext_lazy("Market prospect"), coerce=int, widget=forms.RadioSelect,
                                    choices=[(5, gettext_lazy("5 — a strong market")), (4, "4"), (3, "3"), (2, "2"),
                                             (1, gettext_lazy("1 — no market"))])
    comment = forms.CharField(label=gettext_lazy("Your view of its market"), required=False,
                              max_length=service.MAX_MESSAGE,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ContactForm(forms.Form):
    organization = forms.ModelChoiceField(label=gettext_lazy("On behalf of"), queryset=None, required=False,
                                          empty_label=gettext_lazy("Myself"))
    message = forms.CharField(label=gettext_lazy("Your question to the holder"), max_length=service.MAX_MESSAGE,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ReplyForm(forms.Form):
    reply = forms.CharField(label=gettext_lazy("Answer"), max_length=service.MAX_MESSAGE,
                            widget=forms.Textarea(attrs={"rows": 2}))


class GradingSettingsForm(forms.Form):
    """One field per factor (its points), the grades' thresholds and the evaluations needed."""

    threshold_A = forms.DecimalField(label=gettext_lazy("Grade A from"), min_value=0, max_value=100, decimal_places=2)
    threshold_B = forms.DecimalField(label=gettext_lazy("Grade B from"), min_value=0, max_value=100, decimal_places=2)
    threshold_C = forms.DecimalField(label=gettext_lazy("Grade C from"), min_value=0, max_value=100, decimal_places=2)
    evaluation_min_count = forms.IntegerField(
        label=gettext_lazy("Market evaluations needed"), min_value=1, max_value=50,
        help_text=gettext_lazy("Below this many enterprise ratings the market factor counts as neutral (0.5)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for factor, label in FACTORS.items():
            self.fields[f"weight_{factor}"] = forms.DecimalField(label=label, min_value=0, max_value=1000,
                                                                 decimal_places=2)

    @classmethod
    def initial_of(cls, config: GradingConfig) -> dict:
        initial = {f"weight_{f}": config.weights.get(f, 0) for f in FACTORS}
        initial.update({f"threshold_{g}": config.thresholds.get(g) for g in ("A", "B", "C")})
        initial["evaluation_min_count"] = config.evaluation_min_count
        return initial

    def threshold_fields(self):
        return [self[f"threshold_{g}"] for g in ("A", "B", "C")]

    def values(self) -> dict:
        data = self.cleaned_data
        return {"weights": {f: data[f"weight_{f}"] for f in FACTORS},
                "thresholds": {g: data[f"threshold_{g}"] for g in ("A", "B", "C")},
                "evaluation_min_count": data["evaluation_min_count"]}


# --- helpers -------------------------------------------------------------------------------------


def _xlsx(content: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(stem)}"'
    return response


def with_labels(pool_patents):
    """The rows, each with `mode_labels` for the templates."""
    rows = list(pool_patents)
    for pp in rows:
        pp.mode_labels = exports.mode_labels(pp.modes)
    return rows


def _pool_patent(request, pk):
    """The pool patent if the user may see it: a stranger gets 404, as for one that does not exist."""
    return get_object_or_404(pool_patents_visible_to(request.user), pk=pk)


def explanation(pool_patent) -> list[dict]:
    """The stored explanation in the reader's language: the labels come from grading.FACTORS by
    code (the stored label is the platform language's), the numbers as stored."""
    parts = []
    for part in pool_patent.score_parts or ():
        factor = part.get("factor")
        parts.append({
            "factor": factor, "label": str(FACTORS.get(factor, part.get("label", factor))),
            "value": part.get("value"), "weight": part.get("weight"), "points": Decimal(str(part.get("points", 0))),
            "detail": part.get("detail", ""),
        })
    return parts


def _contact_organizations(user, pool_patent):
    """On whose behalf the user may ask the holder: their organizations, not the holder."""
    from zhibao.accounts.models import Organization

    return (Organization.objects.filter(memberships__user=user).exclude(pk=pool_patent.holder_id)
            .distinct().order_by("name"))


def _is_stale(pool_patent, config) -> bool:
    return pool_patent.status == PoolStatus.LISTED and pool_patent.graded_version < config.version


def _redirect_to(pool_patent, anchor: str = ""):
    return redirect(reverse("revitalization:pool_patent", args=[pool_patent.pk]) + anchor)


# --- the list ------------------------------------------------------------------------------------


@require_GET
def pool_list(request):
    """The public pool: search in the corpus language, filters, sort, pages; the HTMX fragment
    is the result area."""
    filterset, rows = pool_filtered(pool_patents_listed(), request.GET)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_labels(page.object_list)
    if is_search(request.GET) and filterset.is_valid() and not request.GET.get("page"):
        operation_record(kind=OperationKind.SEARCH, user=request.user, detail=request.GET.get("q", "")[:200])
    context = {"filter": filterset, "page": page, "grades": Grade, "sorts": SORTS,
               "holds_patents": pool_patents_held_by(request.user).exists(),
               "operator": bool(is_operator(request.user))}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "revitalization/pool_list.html#results", context)
    return render(request, "revitalization/pool_list.html", context)


@require_GET
def pool_export(request):
    """The filtered list as Excel, with grade and score (and the contact where the reader may see it)."""
    filterset, rows = pool_filtered(pool_patents_listed(), request.GET)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("Correct the search first: the export writes its results."))
        return redirect(reverse("revitalization:pool") + "?" + request.GET.urlencode())
    return _xlsx(exports.pool_xlsx(rows, with_contact=holder_contact_checker(request.user)), "pool")


@require_GET
def pool_mine(request):
    """“Our pool patents”: the holder's members see their organizations' listings, listed or
    withdrawn, and the contact requests waiting for an answer."""
    rows = pool_patents_held_by(request.user).order_by("status", "-score", "pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page.object_list = with_labels(page.object_list)
    waiting = (ContactRequest.objects.filter(pool_patent__in=pool_patents_held_by(request.user).values("pk"),
                                             replied_at__isnull=True)
               .select_related("pool_patent__patent", "user", "organization").order_by("created_at"))
    return render(request, "revitalization/pool_mine.html", {
        "page": page, "waiting": [(c, ReplyForm(prefix=f"c{c.pk}")) for c in waiting[:100]],
    })


@require_GET
def pool_mine_export(request):
    rows = pool_patents_held_by(request.user).order_by("status", "-score", "pk")
    return _xlsx(exports.pool_xlsx(rows, with_contact=lambda pp: True, with_status=True), "our-pool-patents")


# --- one pool patent -----------------------------------------------------------------------------


def _detail_context(request, pool_patent, *, evaluation_form=None, contact_form=None, listing_form=None):
    user = request.user
    config = GradingConfig.current()
    holder_side = service.is_holder_side(user, pool_patent)
    listed = pool_patent.status == PoolStatus.LISTED
    evaluations = list(pool_patent.evaluations.select_related("organization").order_by("-updated_at"))
    ratings = [e.rating for e in evaluations]
    evaluators = service.evaluating_organizations(user, pool_patent)
    evaluator_ids = set(evaluators.values_list("pk", flat=True))
    if evaluation_form is None and listed and evaluator_ids:
        mine = next((e for e in evaluations if e.organization_id in evaluator_ids), None)
        initial = {"organization": mine.organization_id, "rating": mine.rating, "comment": mine.comment} if mine else {}
        evaluation_form = EvaluationForm(organizations=evaluators, initial=initial)
    contact_orgs = _contact_organizations(user, pool_patent)
    if contact_form is None and listed and not holder_side:
        contact_form = ContactForm(organizations=contact_orgs, initial={"organization": contact_orgs.first()})
    contacts = [(c, ReplyForm(prefix=f"c{c.pk}") if holder_side and c.replied_at is None else None)
                for c in service.contacts_visible_to(user, pool_patent)]
    parts = explanation(pool_patent)
    return {
        "pp": pool_patent, "patent": pool_patent.patent, "parts": parts,
        "parts_total": sum((p["points"] for p in parts), Decimal("0")),
        "stale": _is_stale(pool_patent, config), "config": config,
        "mode_labels": exports.mode_labels(pool_patent.modes),
        "evaluations": evaluations, "rating_count": len(ratings),
        "rating_mean": (sum(ratings) / len(ratings)) if ratings else None,
        "evaluation_form": evaluation_form if listed else None,
        "contact_form": contact_form if listed and not holder_side else None,
        "contacts": contacts, "holder_side": holder_side, "center": sees_all(user),
        "show_contact": may_see_holder_contact(user, pool_patent),
        "listing_form": listing_form, "listed": listed,
    }


@require_GET
def pool_patent_detail(request, pk):
    pool_patent = _pool_patent(request, pk)
    if not service.is_holder_side(request.user, pool_patent):
        operation_record(kind=OperationKind.VIEW, user=request.user, pool_patent=pool_patent)
    return render(request, "revitalization/pool_patent.html", _detail_context(request, pool_patent))


@require_POST
def pool_patent_evaluate(request, pk):
    """An enterprise rates the patent (once per enterprise; again updates it); regraded at once."""
    pool_patent = _pool_patent(request, pk)
    form = EvaluationForm(request.POST, organizations=service.evaluating_organizations(request.user, pool_patent))
    if form.is_valid():
        data = form.cleaned_data
        try:
            _evaluation, created = service.pool_patent_evaluate(
                pool_patent=pool_patent, user=request.user, organization=data["organization"],
                rating=data["rating"], comment=data["comment"])
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, _("Thank you: your evaluation was recorded and the grade updated.") if created
                             else _("Your evaluation was updated and the grade recomputed."))
            return _redirect_to(pool_patent, "#evaluations")
    elif not form.fields["organization"].queryset.exists():
        raise PermissionDenied(_("Market evaluations are given by members of enterprises other than the holder."))
    pool_patent.refresh_from_db()
    return render(request, "revitalization/pool_patent.html",
                  _detail_context(request, pool_patent, evaluation_form=form), status=400)


@require_POST
def pool_patent_contact(request, pk):
    """Ask the holder through the platform; its members are notified and answer on the page."""
    pool_patent = _pool_patent(request, pk)
    if service.is_holder_side(request.user, pool_patent):
        raise PermissionDenied(_("You belong to the holder of this patent."))
    form = ContactForm(request.POST, organizations=_contact_organizations(request.user, pool_patent))
    if form.is_valid():
        try:
            _contact, created = service.contact_request_send(
                pool_patent=pool_patent, user=request.user, message=form.cleaned_data["message"],
                organization=form.cleaned_data["organization"])
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, _("Your question was sent to the holder; the answer will appear here.")
                             if created else _("This question was already sent."))
            return _redirect_to(pool_patent, "#contacts")
    return render(request, "revitalization/pool_patent.html",
                  _detail_context(request, pool_patent, contact_form=form), status=400)


@require_POST
def pool_contact_reply(request, pk):
    """The holder's members answer a contact request."""
    contact = get_object_or_404(ContactRequest.objects.select_related("pool_patent"), pk=pk)
    pool_patent = contact.pool_patent
    if not service.is_holder_side(request.user, pool_patent):
        raise Http404
    form = ReplyForm(request.POST, prefix=f"c{contact.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    else:
        try:
            service.contact_request_reply(contact=contact, user=request.user, reply=form.cleaned_data["reply"])
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your answer was sent."))
    if request.POST.get("next") == "mine":
        return redirect("revitalization:pool_mine")
    return _redirect_to(pool_patent, "#contacts")


@require_http_methods(["GET", "POST"])
def pool_patent_edit(request, pk):
    """The holder's members edit how the patent is offered."""
    pool_patent = _pool_patent(request, pk)
    if not service.is_holder_side(request.user, pool_patent):
        raise Http404
    bound = request.method == "POST"
    initial = {name: getattr(pool_patent, name) for name in ListingForm.base_fields}
    form = ListingForm(request.POST if bound else None, initial=initial)
    if bound and form.is_valid():
        try:
            service.pool_patent_update(pool_patent=pool_patent, user=request.user, **form.cleaned_data)
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, _("The listing was saved."))
            return _redirect_to(pool_patent)
    return render(request, "revitalization/pool_patent_form.html", {"pp": pool_patent, "form": form})


def _listing_step(request, pk, step, done_message):
    pool_patent = _pool_patent(request, pk)
    if not service.is_holder_side(request.user, pool_patent):
        raise Http404
    try:
        step(pool_patent=pool_patent, user=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done_message)
    return _redirect_to(pool_patent)


@require_POST
def pool_patent_withdraw(request, pk):
    return _listing_step(request, pk, service.pool_patent_withdraw,
                         _("The patent was withdrawn from the pool; you can list it again here."))


@require_POST
def pool_patent_relist(request, pk):
    return _listing_step(request, pk, service.pool_patent_relist, _("The patent is listed in the pool again."))


# --- grading settings ----------------------------------------------------------------------------


def _require_grading_manager(request) -> None:
    if not service.may_manage_grading(request.user):
        raise PermissionDenied


def _regrade_status(config) -> dict:
    job = service.regrade_job_current()
    return {"job": job, "stale": service.stale_count(config), "listed": pool_patents_listed().count(),
            "config": config}


@require_http_methods(["GET", "POST"])
def grading_settings(request):
    """The grading model: points per factor, the grades' thresholds, the evaluations needed.
    Saving queues the regrade of the whole pool; the page shows its progress."""
    _require_grading_manager(request)
    config = GradingConfig.current()
    bound = request.method == "POST"
    form = GradingSettingsForm(request.POST if bound else None, initial=GradingSettingsForm.initial_of(config))
    if bound and form.is_valid():
        try:
            config, job = service.grading_config_update(actor=request.user, **form.values())
        except WorkflowError as exc:
            form.add_error(None, exc.message)
            for name, errors in (exc.fields or {}).items():
                for e in errors:
                    if name in form.fields:
                        form.add_error(name, e)
                    elif e != exc.message:
                        form.add_error(None, e)
        else:
            if job is None:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(request, _("Saved as version %(v)d: the pool is being regraded.")
                                 % {"v": config.version})
            return redirect("revitalization:grading_settings")
    from ..grading import scaled_points

    return render(request, "revitalization/pool_grading.html", {
        "form": form,
        "weight_rows": [(form[f"weight_{f}"], round(p, 2)) for f, p in scaled_points(config.weights).items()],
        **_regrade_status(config),
    })


@require_GET
def grading_progress(request):
    """The regrade's progress (the HTMX fragment the settings page polls)."""
    _require_grading_manager(request)
    return render(request, "revitalization/pool_grading.html#progress", _regrade_status(GradingConfig.current()))


urlpatterns = [
    path("pool/", pool_list, name="pool"),
    path("pool/export.xlsx", pool_export, name="pool_export"),
    path("pool/mine/", pool_mine, name="pool_mine"),
    path("pool/mine/export.xlsx", pool_mine_export, name="pool_mine_export"),
    path("pool/grading/", grading_settings, name="grading_settings"),
    path("pool/grading/progress/", grading_progress, name="grading_progress"),
    path("pool/<int:pk>/", pool_patent_detail, name="pool_patent"),
    path("pool/<int:pk>/evaluate/", pool_patent_evaluate, name="pool_patent_evaluate"),
    path("pool/<int:pk>/contact/", pool_patent_contact, name="pool_patent_contact"),
    path("pool/<int:pk>/edit/", pool_patent_edit, name="pool_patent_edit"),
    path("pool/<int:pk>/withdraw/", pool_patent_withdraw, name="pool_patent_withdraw"),
    path("pool/<int:pk>/relist/", pool_patent_relist, name="pool_patent_relist"),
    path("pool/contacts/<int:pk>/reply/", pool_contact_reply, name="pool_contact_reply"),
]
