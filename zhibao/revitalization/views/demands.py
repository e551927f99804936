"""Pages of technology demands (技术需求) and matching (供需对接).

- Enterprises: post a demand, see "my demands", change a returned one and resubmit it, answer
  the matches the center pushed; the review steps (publish, return, reject, resubmit, close)
  are the case page's buttons (portal), built from the transitions the user may take.
- Everybody signed in: the published demands, filtered, and their Excel export.
- Operators: a demand's suggestions with the shared terms marked, push or dismiss them; the
  matching page with the quality of pushed matches and the batch job; a pool patent's ranked
  demands and likely enterprises (also for the holder).

The forms check the shape of the input; the services decide, and their refusals
(WorkflowError) are put back on the form, the message on top and each field's next to it.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhibao.accounts.choices import OrganizationKind
from zhibao.accounts.models import Organization
from zhibao.core.forms import IdempotentForm, apply_workflow_error
from zhibao.core.models import Industry, Region
from zhibao.core.services.cases import WorkflowError, available_transitions

from .. import matching as engine
from ..choices import Answer, CooperationMode, DemandState, MatchState, OperationKind
from ..exports import demands as exports
from ..models import KeyIndustry, Match, PoolPatent
from ..rules import is_operator, member_of
from ..selectors.demands import (
    demands_filtered,
    demands_of,
    demands_published,
    demands_visible_to,
    is_demand_side,
    matches_visible_to,
    may_see_contact,
    sees_all,
)
from ..services import matching as matching_service
from ..services.demands import demand_submit, demand_update, may_edit
from ..services.operations import operation_record

# --- forms ---------------------------------------------------------------------------------------


def enterprises_of(user):
    """The enterprises the user belongs to (the service refuses one not verified yet)."""
    return Organization.objects.filter(memberships__user=user, kind=OrganizationKind.ENTERPRISE).distinct()


class DemandFieldsForm(forms.Form):
    """What a demand says; the checks of substance (budget range, deadline, modes) are the
    service's, so the page and the API refuse the same things with the same words."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(label=gettext_lazy("What technology do you need?"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text=gettext_lazy("The problem, the product or process, the indicators "
                                                         "you want to reach: the words are matched with patents."))
    industry = forms.ModelChoiceField(label=gettext_lazy("Industry (GB/T 4754)"), queryset=Industry.objects.all(),
                                      required=False)
    key_industry = forms.ModelChoiceField(label=gettext_lazy("Key industry of the region"), required=False,
                                          queryset=KeyIndustry.objects.filter(active=True), to_field_name="code",
                                          empty_label=gettext_lazy("None of them"))
    league = forms.ModelChoiceField(label=gettext_lazy("League / city"), required=False,
                                    queryset=Region.objects.filter(level="league", code__startswith="15"))
    budget_min = forms.DecimalField(label=gettext_lazy("Budget from (10,000 yuan)"), required=False,
                                    max_digits=12, decimal_places=2)
    budget_max = forms.DecimalField(label=gettext_lazy("Budget up to (10,000 yuan)"), required=False,
                                    max_digits=12, decimal_places=2)
    modes = forms.MultipleChoiceField(label=gettext_lazy("Cooperation modes"), choices=CooperationMode.choices,
                                      widget=forms.CheckboxSelectMultiple, required=False,
                                      help_text=gettext_lazy("Choose one or more."))
    deadline = forms.DateField(label=gettext_lazy("Wanted by"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=50)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=30)

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in DemandFieldsForm.base_fields}


class DemandForm(DemandFieldsForm, IdempotentForm):
    organization = forms.ModelChoiceField(label=gettext_lazy("Enterprise"), queryset=Organization.objects.none(),
                                          empty_label=None)

    field_order = ["organization"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = enterprises_of(user)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=gettext_lazy("Your answer"),
                               widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                               choices=[(Answer.INTERESTED, Answer.INTERESTED.label),
                                        (Answer.NOT_INTERESTED, Answer.NOT_INTERESTED.label)])
    feedback = forms.CharField(label=gettext_lazy("Feedback"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))


# --- helpers -------------------------------------------------------------------------------------


def _demand(request, pk):
    """A demand the user may see; a stranger gets 404, as for one that does not exist."""
    return get_object_or_404(demands_visible_to(request.user), pk=pk)


def _require_center(request) -> None:
    if not sees_all(request.user):
        raise Http404


def _xlsx(content: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(stem)}"'
    return response


def _pieces(text: str, terms) -> list[tuple[str, bool]]:
    return engine.highlight(text or "", terms or ())


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    from django.utils.http import url_has_allowed_host_and_scheme

    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


# --- posting and editing -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def demand_new(request):
    """Post a technology demand (service RVD) for the center's review."""
    bound = request.method == "POST"
    form = DemandForm(request.POST if bound else None, user=request.user)
    if bound and form.is_valid():
        try:
            demand, created = demand_submit(user=request.user, organization=form.cleaned_data["organization"],
                                            idempotency_key=form.cleaned_data["idempotency_key"], **form.values())
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            if created:
                messages.success(request, _("Submitted as case %(number)s: the center reviews it before it is "
                                            "published.") % {"number": demand.case.number})
            else:
                messages.info(request, _("This was already submitted as case %(number)s.")
                              % {"number": demand.case.number})
            return redirect(demand.case)
    return render(request, "revitalization/demand_form.html", {
        "form": form, "has_enterprises": form.fields["organization"].queryset.exists(), "demand": None,
    })


@require_http_methods(["GET", "POST"])
def demand_edit(request, pk):
    """Change a demand returned for correction, and resubmit it (the enterprise's members)."""
    demand = _demand(request, pk)
    if not is_demand_side(request.user, demand):
        raise Http404
    if not may_edit(demand, request.user):
        messages.error(request, _("A demand can be changed only while it is returned for correction."))
        return redirect(demand.case)
    bound = request.method == "POST"
    initial = {name: getattr(demand, name) for name in DemandFieldsForm.base_fields}
    initial["key_industry"] = demand.key_industry.code if demand.key_industry_id else None
    form = DemandFieldsForm(request.POST if bound else None, initial=initial)
    if bound and form.is_valid():
        resubmit = "resubmit" in request.POST
        try:
            demand = demand_update(demand=demand, user=request.user, resubmit=resubmit, **form.values())
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, _("Resubmitted to the center.") if resubmit else _("Saved."))
            return redirect(demand.case)
    return render(request, "revitalization/demand_form.html", {"form": form, "demand": demand,
                                                                "has_enterprises": True})


# --- lists ---------------------------------------------------------------------------------------


def _list(request, *, queryset, scope: str):
    filterset, rows = demands_filtered(queryset, request.GET)
    if scope != "mine":
        filterset.form.fields.pop("state", None)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "scope": scope,
               "may_post": enterprises_of(request.user).exists(),
               "export_url": reverse("revitalization:demand_mine_export" if scope == "mine"
                                     else "revitalization:demand_export")}
    if request.htmx:
        return render(request, "revitalization/demand_list.html#results", context)
    return render(request, "revitalization/demand_list.html", context)


@require_GET
def demand_list(request):
    """The published demands (every signed-in user), filtered by industry, league and mode."""
    return _list(request, queryset=demands_published(), scope="published")


@require_GET
def demand_mine(request):
    """“我的需求”: the demands of the user's enterprises, in every state."""
    return _list(request, queryset=demands_of(request.user), scope="mine")


@require_GET
def demand_export(request):
    _filter, rows = demands_filtered(demands_published(), request.GET)
    user = request.user
    return _xlsx(exports.demands_xlsx(rows, with_contact=lambda d: may_see_contact(user, d)), "demands")


@require_GET
def demand_mine_export(request):
    _filter, rows = demands_filtered(demands_of(request.user), request.GET)
    return _xlsx(exports.demands_xlsx(rows, with_contact=lambda d: True, with_state=True), "my-demands")


# --- one demand ----------------------------------------------------------------------------------


def _match_rows(matches, user):
    """The cards of `matches`: the shared terms marked, the user's side and answer form, and the
    deal started from the match (the enterprise's next step once it is interested)."""
    from ..choices import DealState
    from ..selectors.market import deals_visible_to

    matches = list(matches)
    deals = {d.match_id: d for d in deals_visible_to(user).filter(match__in=matches)
             .exclude(state=DealState.CANCELLED).order_by("case__submitted_at")}
    rows = []
    for m in matches:
        terms = (m.explanation or {}).get("shared_terms", [])
        rows.append({"match": m, "title": _pieces(m.pool_patent.patent.title, terms),
                     "abstract": _pieces(m.pool_patent.patent.abstract, terms),
                     "side": matching_service.side_of(user, m), "deal": deals.get(m.pk),
                     "form": AnswerForm(prefix=f"m{m.pk}")})
    return rows


@require_GET
def demand_detail(request, pk):
    """A demand as the marketplace shows it; for its enterprise, the matches the center pushed
    with the answer forms; for operators, a link to the suggestions."""
    demand = _demand(request, pk)
    user = request.user
    own = is_demand_side(user, demand)
    if not own and not sees_all(user) and demand.state == DemandState.PUBLISHED:
        operation_record(kind=OperationKind.VIEW, user=user, demand=demand)
    pushed = []
    if own:
        pushed = _match_rows(matches_visible_to(user).filter(demand=demand, state=MatchState.PUSHED)
                             .order_by("rank"), user)
    return render(request, "revitalization/demand_detail.html", {
        "demand": demand, "own": own, "center": sees_all(user), "contact": may_see_contact(user, demand),
        "pushed": pushed, "may_edit": may_edit(demand, user),
        "transitions": available_transitions(demand, user) if (own or sees_all(user)) else [],
    })


@require_GET
def demand_matches(request, pk):
    """The operator's review of a demand's suggestions: the patents ranked for it, the
    demand's shared terms marked in each title and abstract, push or dismiss."""
    _require_center(request)
    demand = _demand(request, pk)
    matches = (matches_visible_to(request.user).filter(demand=demand)
               .select_related("pool_patent__holder__league").order_by("rank"))
    state = request.GET.get("state") or ""
    if state in MatchState.values:
        matches = matches.filter(state=state)
    rows = _match_rows(matches, request.user)
    for row in rows:
        row["may_operate"] = matching_service.may_operate(request.user, row["match"])
    return render(request, "revitalization/demand_matches.html", {
        "demand": demand, "rows": rows, "state": state, "states": MatchState.choices,
        "quality": matching_service.match_quality(Match.objects.filter(demand=demand)),
        "operator": bool(is_operator(request.user)) and not member_of(request.user, demand.organization_id),
    })


@require_POST
def demand_rematch(request, pk):
    """Match the demand again now (an operator): new suggestions, pushed ones kept."""
    _require_center(request)
    demand = _demand(request, pk)
    if not is_operator(request.user):
        raise Http404
    try:
        found = matching_service.demand_match(demand)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        if found is None:
            messages.info(request, _("The matching index is being built; the demand is matched when it is ready."))
        else:
            messages.success(request, _("%(n)d patents were ranked for the demand.") % {"n": len(found)})
    return redirect("revitalization:demand_matches", pk=demand.pk)


# --- pushing and answering -----------------------------------------------------------------------


@require_POST
def match_push(request):
    """Push the selected suggestions (ids `match`) to both sides; or dismiss them (`dismiss`)."""
    _require_center(request)
    ids = [int(i) for i in request.POST.getlist("match") if i.isdigit()]
    dismiss = "dismiss" in request.POST
    chosen = list(matches_visible_to(request.user).filter(pk__in=ids))
    if not chosen:
        messages.error(request, _("Choose at least one match."))
    done, refused = 0, []
    for match in chosen:
        try:
            if dismiss:
                matching_service.match_dismiss(match=match, actor=request.user)
            else:
                matching_service.match_push(match=match, actor=request.user)
        except WorkflowError as exc:
            refused.append(f"{match.pool_patent.patent.publication_number}: {exc.message}")
        else:
            done += 1
    if done:
        messages.success(request, (_("%(n)d matches dismissed.") if dismiss
                                   else _("%(n)d matches pushed to both sides.")) % {"n": done})
    for line in refused:
        messages.error(request, line)
    fallback = (reverse("revitalization:demand_matches", args=[chosen[0].demand_id]) if chosen
                else reverse("revitalization:matching"))
    return _back(request, fallback)


@require_POST
def match_answer(request, pk):
    """One side answers a pushed match (interested or not, with feedback)."""
    match = get_object_or_404(matches_visible_to(request.user), pk=pk)
    side = matching_service.side_of(request.user, match)
    if not side:
        raise Http404  # an operator or leader sees it, but does not answer for a side
    form = AnswerForm(request.POST, prefix=f"m{match.pk}")
    fallback = (reverse("revitalization:demand_detail", args=[match.demand_id]) if side == "enterprise"
                else reverse("revitalization:pool_patent_demands", args=[match.pool_patent_id]))
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return _back(request, fallback)
    try:
        matching_service.match_answer(match=match, user=request.user, answer=form.cleaned_data["answer"],
                                      feedback=form.cleaned_data["feedback"])
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: your answer was recorded."))
    return _back(request, fallback)


# --- the operator's matching page ----------------------------------------------------------------


@require_GET
def matching(request):
    """Matching at a glance: the quality of pushed matches, overall and per operator; the
    demands waiting for a push; the pushed matches and their answers (Excel); the batch job."""
    _require_center(request)
    pushed = matches_visible_to(request.user).filter(state=MatchState.PUSHED).order_by("-pushed_at", "-pk")
    waiting = (demands_published().filter(matches__state=MatchState.SUGGESTED).distinct()
               .order_by("published_at"))[:50]
    from zhibao.core.models import Job

    jobs = Job.objects.filter(name__in=[matching_service.MATCH_ALL_JOB, matching_service.INDEX_JOB]) \
        .order_by("-created_at")[:5]
    return render(request, "revitalization/match_list.html", {
        "quality": matching_service.match_quality(), "page": Paginator(pushed, 30).get_page(request.GET.get("page")),
        "waiting": waiting, "jobs": jobs, "operator": bool(is_operator(request.user)),
    })


@require_GET
def matching_export(request):
    _require_center(request)
    rows = matches_visible_to(request.user).filter(state=MatchState.PUSHED).order_by("-pushed_at", "-pk")
    return _xlsx(exports.matches_xlsx(rows), "matches")


@require_POST
def matching_run(request):
    """Start the batch matching of every published demand (operators)."""
    _require_center(request)
    if not is_operator(request.user):
        raise Http404
    job = matching_service.match_all_start(owner=request.user)
    messages.success(request, _("Batch matching started."))
    return redirect("core:job_detail", pk=job.pk)


# --- a pool patent's demands and likely enterprises ----------------------------------------------


@require_GET
def pool_patent_demands(request, pk):
    """For operators and the patent's holder: the demands ranked for the patent and the
    enterprises likely to want it; the holder answers the matches pushed to it here."""
    pool_patent = get_object_or_404(PoolPatent.objects.select_related("patent", "holder"), pk=pk)
    user = request.user
    holder = member_of(user, pool_patent.holder_id)
    if not (holder or sees_all(user)):
        raise Http404
    ranked = matching_service.pool_patent_demands(pool_patent, limit=50)
    enterprises = matching_service.likely_enterprises(pool_patent, demand_matches=ranked)
    pushed = _match_rows(matches_visible_to(user).filter(pool_patent=pool_patent, state=MatchState.PUSHED)
                         .order_by("-pushed_at"), user)
    return render(request, "revitalization/match_pool_patent.html", {
        "pool_patent": pool_patent, "ranked": [(d, m, _pieces(d.title, m.shared_terms)) for d, m in ranked[:20]],
        "enterprises": enterprises, "pushed": pushed, "holder": holder, "center": sees_all(user),
        "today": timezone.localdate(),
    })


urlpatterns = [
    path("demands/", demand_list, name="demand_list"),
    path("demands/export.xlsx", demand_export, name="demand_export"),
    path("demands/mine/", demand_mine, name="demand_mine"),
    path("demands/mine/export.xlsx", demand_mine_export, name="demand_mine_export"),
    path("demands/new/", demand_new, name="demand_new"),
    path("demands/<int:pk>/", demand_detail, name="demand_detail"),
    path("demands/<int:pk>/edit/", demand_edit, name="demand_edit"),
    path("demands/<int:pk>/matches/", demand_matches, name="demand_matches"),
    path("demands/<int:pk>/rematch/", demand_rematch, name="demand_rematch"),
    path("matches/", matching, name="matching"),
    path("matches/export.xlsx", matching_export, name="matching_export"),
    path("matches/run/", matching_run, name="matching_run"),
    path("matches/push/", match_push, name="match_push"),
    path("matches/<int:pk>/answer/", match_answer, name="match_answer"),
    path("pool/<int:pk>/demands/", pool_patent_demands, name="pool_patent_demands"),
]
