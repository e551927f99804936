"""GET /api/v1/pre-exam/statistics: the channel's figures, the same dict the dashboard shows
(statistics.pre_exam_statistics), with the same filters and the same permission
(pre_exam.view_statistics: examiners, leaders, workstation clerks)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from zhibao.accounts.models import Organization
from zhibao.api import ErrorSerializer
from zhibao.core.models import Region

from ..models import TechnicalField
from ..statistics import pre_exam_statistics


class PreExamStatisticsQuerySerializer(serializers.Serializer):
    """Which cases count: those submitted in the period (a year, or dates; none: all years),
    of a technical field, a league or city, an organization."""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="Calendar year of submission, e.g. 2024")
    date_from = serializers.DateField(required=False, help_text="First day of submission, YYYY-MM-DD")
    date_to = serializers.DateField(required=False, help_text="Last day of submission, YYYY-MM-DD")
    field = serializers.SlugRelatedField(slug_field="code", queryset=TechnicalField.objects.all(), required=False,
                                         help_text="Technical field code, e.g. new_materials")
    league = serializers.PrimaryKeyRelatedField(queryset=Region.objects.filter(level="league"), required=False,
                                                help_text="GB/T 2260 code of an Inner Mongolia league or city, "
                                                          "e.g. 150200")
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False,
                                                      help_text="Organization id")

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": ["The end of the period is before its start."]})
        return attrs


def _rate(help_text: str = "Percent, one decimal; null when there is nothing to divide by"):
    return serializers.FloatField(allow_null=True, help_text=help_text)


def _days(help_text: str):
    return serializers.FloatField(allow_null=True, help_text=help_text)


class PreExamStatsFiguresSerializer(serializers.Serializer):
    """The figures of a set of cases (everything, a field, a month, an organization, a league)."""

    submissions = serializers.IntegerField()
    open = serializers.IntegerField(help_text="Not closed yet (filed at CNIPA and awaiting its decision included)")
    overdue = serializers.IntegerField(help_text="Open and past their current deadline today")
    formal_checked = serializers.IntegerField()
    formal_failed = serializers.IntegerField(help_text="Failed the formal check at least once")
    formal_passed_first = serializers.IntegerField()
    formal_pass_rate = _rate("formal_passed_first ÷ formal_checked, percent")
    corrected = serializers.IntegerField(help_text="Given at least one correction request in pre-examination")
    decided = serializers.IntegerField(help_text="qualified + not_qualified")
    qualified = serializers.IntegerField(help_text="Qualified, whatever happened after")
    not_qualified = serializers.IntegerField()
    qualification_rate = _rate("qualified ÷ decided, percent")
    filed = serializers.IntegerField(help_text="Filed at CNIPA")
    granted = serializers.IntegerField()
    rejected = serializers.IntegerField(help_text="Rejected by CNIPA")
    grant_rate = _rate("granted ÷ (granted + rejected), percent")
    withdrawn = serializers.IntegerField()
    lapsed = serializers.IntegerField(help_text="Qualified but not filed at CNIPA in time")
    cycle_count = serializers.IntegerField(help_text="Granted inventions with both dates")
    mean_cycle_days = _days("Mean days from filing at CNIPA to grant, inventions")
    median_cycle_days = _days("Median days from filing at CNIPA to grant, inventions")
    cycle_reduction_percent = _rate("How much shorter than the ordinary channel's cycle, percent")


class PreExamStatsFigureRowSerializer(PreExamStatsFiguresSerializer):
    key = serializers.CharField()
    label = serializers.CharField()


class PreExamStatsOrganizationRowSerializer(PreExamStatsFiguresSerializer):
    key = serializers.IntegerField(help_text="Organization id")
    label = serializers.CharField()
    league = serializers.CharField()


class PreExamStatsLeagueRowSerializer(PreExamStatsFiguresSerializer):
    key = serializers.CharField(allow_null=True, help_text="League code; null for organizations without one")
    label = serializers.CharField()


class PreExamStatsCycleSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    mean_days = _days("Mean")
    median_days = _days("Median")
    min_days = serializers.IntegerField(allow_null=True)
    max_days = serializers.IntegerField(allow_null=True)


class PreExamStatsCycleTypeSerializer(PreExamStatsCycleSummarySerializer):
    key = serializers.CharField()
    label = serializers.CharField()


class PreExamStatsCycleBinSerializer(serializers.Serializer):
    # "from" is a Python keyword: declared below.
    to = serializers.IntegerField(allow_null=True, help_text="Last day of the bin; null for the open last bin")
    label = serializers.CharField()
    count = serializers.IntegerField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField(help_text="First day of the bin")
        return fields


class PreExamStatsGrantCycleSerializer(PreExamStatsCycleSummarySerializer):
    patent_type = serializers.CharField(help_text="The type compared with the ordinary channel (invention)")
    patent_type_label = serializers.CharField()
    ordinary_days = serializers.IntegerField(help_text="The ordinary channel's cycle (PreExamConfig)")
    reduction_percent = _rate("(ordinary − mean) ÷ ordinary, percent")
    reduction_days = _days("ordinary − mean, days")
    distribution = PreExamStatsCycleBinSerializer(many=True)
    all_types = PreExamStatsCycleSummarySerializer()
    by_type = PreExamStatsCycleTypeSerializer(many=True)


class PreExamStatsStateCountSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class PreExamStatsExaminerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    username = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField(), help_text="Fields examined")
    leads = serializers.ListField(child=serializers.CharField(), help_text="Fields led")
    open = serializers.IntegerField(help_text="Cases on the desk now: assigned, in pre-examination, awaiting a reply")
    overdue = serializers.IntegerField(help_text="Of those, past their deadline today")
    formal_checks = serializers.IntegerField(help_text="Formal checks done in the period")
    decided = serializers.IntegerField(help_text="Decisions (qualified or not) in the period")
    qualified = serializers.IntegerField()
    not_qualified = serializers.IntegerField()
    corrections = serializers.IntegerField(help_text="Correction requests sent in the period")
    qualification_rate = _rate()


class PreExamStatsPriorityCountsSerializer(serializers.Serializer):
    requests = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Submitted or in review")
    reviewed = serializers.IntegerField(help_text="Decided by the center: recommended or not")
    recommended = serializers.IntegerField(help_text="Recommended to CNIPA (whatever CNIPA answered)")
    not_recommended = serializers.IntegerField()
    accepted = serializers.IntegerField(help_text="Accepted by CNIPA")
    refused = serializers.IntegerField(help_text="Refused by CNIPA")
    withdrawn = serializers.IntegerField()
    recommendation_rate = _rate("recommended ÷ reviewed, percent")
    quota = serializers.IntegerField(help_text="Recommendations allowed in the quota year")
    quota_used = serializers.IntegerField(help_text="Recommendations made against the quota year (any league)")
    quota_left = serializers.IntegerField()
    quota_used_percent = _rate()


class PreExamStatsPriorityFieldSerializer(PreExamStatsPriorityCountsSerializer):
    key = serializers.CharField()
    label = serializers.CharField()


class PreExamStatsPrioritySerializer(PreExamStatsPriorityCountsSerializer):
    acceptance_rate = _rate("accepted ÷ (accepted + refused), percent")
    quota_year = serializers.IntegerField()
    by_field = PreExamStatsPriorityFieldSerializer(many=True)


class PreExamStatsAppliedFiltersSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True)
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    field_name = serializers.CharField(allow_null=True)
    league = serializers.CharField(allow_null=True)
    league_name = serializers.CharField(allow_null=True)
    organization = serializers.IntegerField(allow_null=True)
    organization_name = serializers.CharField(allow_null=True)


class PreExamStatisticsSerializer(serializers.Serializer):
    filters = PreExamStatsAppliedFiltersSerializer()
    today = serializers.DateField()
    ordinary_cycle_days = serializers.IntegerField()
    overall = PreExamStatsFiguresSerializer()
    grant_cycle = PreExamStatsGrantCycleSerializer()
    by_state = PreExamStatsStateCountSerializer(many=True)
    by_field = PreExamStatsFigureRowSerializer(many=True)
    by_month = PreExamStatsFigureRowSerializer(many=True, help_text="key: YYYY-MM of submission")
    by_organization = PreExamStatsOrganizationRowSerializer(many=True)
    by_league = PreExamStatsLeagueRowSerializer(many=True)
    examiners = PreExamStatsExaminerSerializer(many=True)
    priority = PreExamStatsPrioritySerializer()


class StatisticsView(APIView):
    """The figures of the pre-examination channel: submissions, formal-check pass rate,
    qualification and grant rates, the grant cycle against the ordinary channel, overdue cases,
    examiner workload and prioritized examination, overall and per field, month, organization
    and league. Every figure is about the cases submitted in the period."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.has_perm("pre_exam.view_statistics"):
            raise PermissionDenied()

    @extend_schema(operation_id="pre_exam_statistics", parameters=[PreExamStatisticsQuerySerializer],
                   responses={200: PreExamStatisticsSerializer, 400: ErrorSerializer, 401: ErrorSerializer,
                              403: ErrorSerializer})
    def get(self, request):
        params = PreExamStatisticsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(PreExamStatisticsSerializer(pre_exam_statistics(**params.validated_data)).data)
