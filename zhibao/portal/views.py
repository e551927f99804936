from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibao.core.attachments.selectors import attachments_for
from zhibao.core.filtersets import CaseFilterSet
from zhibao.core.forms import TransitionForm
from zhibao.core.registry import registry
from zhibao.core.selectors import cases_of_applicant, cases_visible_to, notifications_of, worklist_for
from zhibao.core.services.cases import WorkflowError, available_transitions, case_transition
from zhibao.core.services.notifications import notification_mark_read


@login_not_required
def home(request):
    return render(request, "portal/home.html", {"services": registry.all()})


def _case_list(request, *, queryset, template, title, scope):
    filterset = CaseFilterSet(request.GET or None, queryset=queryset)
    # A filter value that does not validate shows its error and no rows, never "everything".
    results = filterset.qs if not filterset.is_bound or filterset.is_valid() else queryset.none()
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "title": title, "scope": scope}
    if request.htmx:
        return render(request, f"{template}#results", context)
    return render(request, template, context)


def my_cases(request):
    """“我的办件”: every case of the user and their organizations, across all services."""
    return _case_list(request, queryset=cases_of_applicant(request.user), template="portal/case_list.html",
                      title=_("My cases"), scope="mine")


def worklist(request):
    """“待办”: what waits for this staff member, overdue first."""
    if not request.user.has_perm("core.view_workbench"):
        raise PermissionDenied
    return _case_list(request, queryset=worklist_for(request.user), template="portal/case_list.html",
                      title=_("My worklist"), scope="worklist")


def _visible_case(request, number):
    case = get_object_or_404(cases_visible_to(request.user), number=number)
    if not request.user.has_perm("core.view_case", case):
        raise PermissionDenied
    if case.spec is None:
        raise Http404
    return case


def case_detail(request, number):
    case = _visible_case(request, number)
    detail = case.detail
    transitions = available_transitions(detail, request.user)
    return render(request, "portal/case_detail.html", {
        "case": case,
        "detail": detail,
        "detail_template": f"{case.spec.model._meta.app_label}/case_{case.service.lower()}.html",
        "events": case.events.select_related("actor"),
        "attachments": attachments_for(case, request.user),
        "transitions": transitions,
        # Steps that need more than a comment are taken with the service's own forms.
        "plain_transitions": [t for t in transitions if not t["form"]],
        "form": TransitionForm(),
    })


@require_POST
def case_transition_view(request, number, name):
    case = _visible_case(request, number)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment is too long (2,000 characters at most)."))
        return redirect(case)
    try:
        case_transition(detail=case.detail, name=name, actor=request.user, comment=form.cleaned_data["comment"])
    except WorkflowError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        messages.error(request, exc.message)
    else:
        case.refresh_from_db()
        messages.success(request, _("Done: the case is now “%(status)s”.") % {"status": case.status_label})
    return redirect(case)


def notifications(request):
    page = Paginator(notifications_of(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page})


@require_POST
def notifications_read(request):
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    notification_mark_read(user=request.user, ids=ids)
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("portal:notifications")
