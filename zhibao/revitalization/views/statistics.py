"""The revitalization dashboard and its Excel export (operators and leaders: rules
revitalization.view_statistics); both read statistics.revitalization_statistics with the same
filters, as the API does."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhibao.accounts.models import Organization
from zhibao.core.models import Region

from ..exports import statistics as exports
from ..models import KeyIndustry
from ..statistics import revitalization_statistics, years_with_data


def check_permission(user) -> None:
    if not user.has_perm("revitalization.view_statistics"):
        raise PermissionDenied


class StatisticsFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)
    league = forms.ModelChoiceField(label=gettext_lazy("League / city"), required=False,
                                    queryset=Region.objects.filter(level="league"),
                                    empty_label=gettext_lazy("All leagues and cities"))
    key_industry = forms.ModelChoiceField(label=gettext_lazy("Key industry"), required=False, to_field_name="code",
                                          queryset=KeyIndustry.objects.filter(active=True),
                                          empty_label=gettext_lazy("All industries"))
    institution = forms.ModelChoiceField(label=gettext_lazy("Institution"), required=False,
                                         queryset=Organization.objects.filter(kind__in=("university", "institute")),
                                         empty_label=gettext_lazy("All institutions"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years_with_data()]

    def arguments(self) -> dict:
        """The valid filters (a bad one is shown as an error and ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: data.get(k) for k in ("year", "league", "key_industry", "institution")}


def chart_data(stats: dict) -> dict:
    """What statistics.js draws, its series names already in the page's language."""
    months = stats["by_month"]
    return {
        "months": {"labels": [m["label"] for m in months], "series": [
            {"name": _("Demands published"), "type": "bar", "data": [m["demands"] for m in months]},
            {"name": _("Matches pushed"), "type": "bar", "data": [m["pushed"] for m in months]},
            {"name": _("Contracts signed"), "type": "bar", "data": [m["deals"] for m in months]},
            {"name": _("Contract amount (10,000 yuan)"), "type": "line", "axis": 1,
             "data": [round(m["amount"], 2) for m in months]},
        ]},
        "grades": {"labels": [g["label"] for g in stats["pool"]["by_grade"]], "series": [
            {"name": _("Pool patents listed"), "type": "bar", "data": [g["count"] for g in stats["pool"]["by_grade"]]},
        ]},
        "industries": {"labels": [r["label"] for r in stats["by_industry"]], "series": [
            {"name": _("Listed"), "type": "bar", "data": [r["pooled"] for r in stats["by_industry"]]},
            {"name": _("Demands published"), "type": "bar", "data": [r["demands"] for r in stats["by_industry"]]},
            {"name": _("Contracts signed"), "type": "bar", "data": [r["deals"] for r in stats["by_industry"]]},
        ]},
        "leagues": {"labels": [r["label"] for r in stats["by_league"]], "horizontal": True, "series": [
            {"name": _("Inventoried"), "type": "bar", "data": [r["inventoried"] for r in stats["by_league"]]},
            {"name": _("Listed"), "type": "bar", "data": [r["pooled"] for r in stats["by_league"]]},
        ]},
    }


@require_GET
def statistics(request):
    check_permission(request.user)
    form = StatisticsFilterForm(request.GET or None)
    stats = revitalization_statistics(**form.arguments())
    query = request.GET.urlencode()
    return render(request, "revitalization/statistics.html", {
        "form": form, "stats": stats, "chart_data": chart_data(stats),
        "export_url": reverse("revitalization:statistics_export") + (f"?{query}" if query else ""),
    })


@require_GET
def statistics_export(request):
    check_permission(request.user)
    stats = revitalization_statistics(**StatisticsFilterForm(request.GET or None).arguments())
    response = HttpResponse(exports.statistics_workbook(stats), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.statistics_filename()}"'
    return response


urlpatterns = [
    path("statistics/", statistics, name="statistics"),
    path("statistics/export.xlsx", statistics_export, name="statistics_export"),
]
