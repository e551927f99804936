"""Pages of the pre-examination channel (statistics): the dashboard and its Excel export.

Both read the figures from statistics.pre_exam_statistics with the same filters (the API does
too), and both check the permission themselves (rules: pre_exam.view_statistics — examiners,
leaders and workstation clerks).
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhibao.accounts.models import Organization
from zhibao.core.models import Case, Region

from .. import exports
from ..models import TechnicalField
from ..statistics import pre_exam_statistics


def check_permission(user) -> None:
    if not user.has_perm("pre_exam.view_statistics"):
        raise PermissionDenied


class StatisticsFilterForm(forms.Form):
    """The dashboard's filters; an empty form means every case of every field and league."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)
    field = forms.ModelChoiceField(label=gettext_lazy("Technical field"), required=False, to_field_name="code",
                                   queryset=TechnicalField.objects.filter(active=True),
                                   empty_label=gettext_lazy("All fields"))
    league = forms.ModelChoiceField(label=gettext_lazy("League / city"), required=False,
                                    queryset=Region.objects.filter(level="league"),
                                    empty_label=gettext_lazy("All leagues and cities"))
    # An <input type="date"> reads only YYYY-MM-DD: in the locale's format (2026/12/07 in
    # Chinese) the browser would show the date as empty.
    date_from = forms.DateField(label=gettext_lazy("Submitted from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=gettext_lazy("Submitted until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    organization = forms.ModelChoiceField(queryset=Organization.objects.all(), required=False,
                                          widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = {d.year for d in Case.objects.filter(service="PE").dates("submitted_at", "year")}
        years.add(timezone.localdate().year)
        self.fields["year"].choices = [("", _("All years")), *((y, str(y)) for y in sorted(years, reverse=True))]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data

    def arguments(self) -> dict:
        """The keyword arguments of pre_exam_statistics: the valid filters (a bad one is shown
        as an error and ignored, the figures of the others still show)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if self.has_error("date_to"):
            data = {k: v for k, v in data.items() if k not in ("date_from", "date_to")}
        return {k: data.get(k) for k in ("year", "date_from", "date_to", "field", "league", "organization")}


def chart_data(stats: dict) -> dict:
    """What statistics.js draws, with its series names already in the page's language."""
    cycle = stats["grant_cycle"]
    return {
        "months": {
            "labels": [m["label"] for m in stats["by_month"]],
            "submissions": [m["submissions"] for m in stats["by_month"]],
            "qualified": [m["qualified"] for m in stats["by_month"]],
            "qualification_rate": [m["qualification_rate"] for m in stats["by_month"]],
            "names": [_("Submissions"), _("Qualified"), _("Qualification rate (%)")],
        },
        "fields": {
            "labels": [f["label"] for f in stats["by_field"]],
            "series": [
                {"name": _("Submissions"), "data": [f["submissions"] for f in stats["by_field"]]},
                {"name": _("Qualified"), "data": [f["qualified"] for f in stats["by_field"]]},
                {"name": _("Granted"), "data": [f["granted"] for f in stats["by_field"]]},
            ],
        },
        "cycle": {
            "labels": [b["label"] for b in cycle["distribution"]],
            "counts": [b["count"] for b in cycle["distribution"]],
            "name": _("Granted inventions"), "axis": _("Days from filing at CNIPA to grant"),
            "mean": cycle["mean_days"], "median": cycle["median_days"],
            "mean_label": _("Mean"), "median_label": _("Median"),
            "bin_days": 10,
        },
        "leagues": {
            "labels": [r["label"] for r in stats["by_league"]],
            "submissions": [r["submissions"] for r in stats["by_league"]],
            "granted": [r["granted"] for r in stats["by_league"]],
            "names": [_("Submissions"), _("Granted")],
        },
        "quota": {
            "labels": [r["label"] for r in stats["priority"]["by_field"]],
            "quota": [r["quota"] for r in stats["priority"]["by_field"]],
            "used": [r["quota_used"] for r in stats["priority"]["by_field"]],
            "requests": [r["requests"] for r in stats["priority"]["by_field"]],
            "names": [_("Requests"), _("Quota used"), _("Quota")],
        },
    }


@require_GET
def statistics(request):
    check_permission(request.user)
    form = StatisticsFilterForm(request.GET or None)
    arguments = form.arguments()
    stats = pre_exam_statistics(**arguments)
    query = request.GET.urlencode()
    context = {
        "form": form, "stats": stats, "chart_data": chart_data(stats), "arguments": arguments,
        "export_url": reverse("pre_exam:statistics_export") + (f"?{query}" if query else ""),
        "overall": stats["overall"], "cycle": stats["grant_cycle"], "priority": stats["priority"],
    }
    return render(request, "pre_exam/statistics.html", context)


@require_GET
def statistics_export(request):
    """The dashboard's figures as a workbook, a sheet per table."""
    check_permission(request.user)
    form = StatisticsFilterForm(request.GET or None)
    stats = pre_exam_statistics(**form.arguments())
    response = HttpResponse(exports.statistics_workbook(stats), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.statistics_filename()}"'
    return response


urlpatterns = [
    path("statistics/", statistics, name="statistics"),
    path("statistics/export.xlsx", statistics_export, name="statistics_export"),
]
