"""GET /api/v1/revitalization/statistics: the dashboard's figures (statistics.revitalization_statistics)
with the same filters and permission (revitalization.view_statistics: operators and leaders)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from zhibao.accounts.models import Organization
from zhibao.api import ErrorSerializer
from zhibao.core.models import Region

from ..models import KeyIndustry
from ..statistics import revitalization_statistics


class RvStatisticsQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="Calendar year (default: this year)")
    league = serializers.PrimaryKeyRelatedField(queryset=Region.objects.filter(level="league"), required=False,
                                                help_text="GB/T 2260 code of a league or city, e.g. 150200")
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind__in=("university", "institute")), required=False,
        help_text="Organization id of a university or institute")
    key_industry = serializers.SlugRelatedField(slug_field="code", queryset=KeyIndustry.objects.all(),
                                                required=False, help_text="Key industry code, e.g. dairy")


def _rate(help_text="Percent, one decimal; null when there is nothing to divide by"):
    return serializers.FloatField(allow_null=True, help_text=help_text)


class RvInventoryFiguresSerializer(serializers.Serializer):
    inventoried = serializers.IntegerField(help_text="Distinct patents matched in inventories (not withdrawn)")
    pooled = serializers.IntegerField(help_text="Of those, pooled by a completed inventory")
    rate = _rate("pooled ÷ inventoried, percent")


class RvGradeCountSerializer(serializers.Serializer):
    grade = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class RvPoolFiguresSerializer(serializers.Serializer):
    listed = serializers.IntegerField()
    by_grade = RvGradeCountSerializer(many=True)


class RvDemandFiguresSerializer(serializers.Serializer):
    published = serializers.IntegerField(help_text="Published in the year")
    open = serializers.IntegerField(help_text="Published and not closed now")
    published_last_year = serializers.IntegerField()


class RvMatchFiguresSerializer(serializers.Serializer):
    pushed = serializers.IntegerField()
    answered = serializers.IntegerField(help_text="Pushed and answered by the enterprise")
    accepted = serializers.IntegerField(help_text="Pushed and answered interested by the enterprise")
    both_interested = serializers.IntegerField()
    precision = _rate("accepted ÷ answered, percent")


class RvDealKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    count_last_year = serializers.IntegerField()
    change = _rate("Year on year, percent")
    amount = serializers.FloatField(help_text="10,000 yuan")


class RvDealFiguresSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Contracts signed in the year")
    amount = serializers.FloatField(help_text="10,000 yuan")
    count_last_year = serializers.IntegerField()
    amount_last_year = serializers.FloatField()
    count_change = _rate("Year on year, percent")
    amount_change = _rate("Year on year, percent")
    by_kind = RvDealKindSerializer(many=True)


class RvMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    label = serializers.CharField()
    demands = serializers.IntegerField()
    pushed = serializers.IntegerField()
    accepted = serializers.IntegerField()
    deals = serializers.IntegerField()
    amount = serializers.FloatField()
    operations = serializers.IntegerField()


class RvInstitutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    inventoried = serializers.IntegerField()
    pooled_from_inventory = serializers.IntegerField()
    pooled = serializers.IntegerField(help_text="Listed in the pool now")
    rate = _rate()
    grade_A = serializers.IntegerField()  # noqa: N815 — the grade's own letter
    grade_B = serializers.IntegerField()  # noqa: N815
    grade_C = serializers.IntegerField()  # noqa: N815
    grade_D = serializers.IntegerField()  # noqa: N815
    deals = serializers.IntegerField()
    amount = serializers.FloatField()


class RvIndustrySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    pooled = serializers.IntegerField()
    demands = serializers.IntegerField()
    deals = serializers.IntegerField()


class RvLeagueSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    inventoried = serializers.IntegerField()
    pooled = serializers.IntegerField()
    demands = serializers.IntegerField()
    deals = serializers.IntegerField()


class RvFiltersSerializer(serializers.Serializer):
    league_name = serializers.CharField(allow_blank=True)
    institution_name = serializers.CharField(allow_blank=True)
    key_industry_name = serializers.CharField(allow_blank=True)


class RvStatisticsSerializer(serializers.Serializer):
    today = serializers.DateField()
    year = serializers.IntegerField()
    filters = RvFiltersSerializer()
    inventory = RvInventoryFiguresSerializer()
    pool = RvPoolFiguresSerializer()
    demands = RvDemandFiguresSerializer()
    matches = RvMatchFiguresSerializer()
    deals = RvDealFiguresSerializer()
    by_month = RvMonthSerializer(many=True)
    by_institution = RvInstitutionSerializer(many=True)
    by_industry = RvIndustrySerializer(many=True)
    by_league = RvLeagueSerializer(many=True)


class StatisticsView(APIView):
    """Revitalization's figures for a year: inventory rate, the pool by grade, demands, matches
    pushed and accepted, contracts and their amount with the change on the year before, by
    month, institution, key industry and league."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.has_perm("revitalization.view_statistics"):
            raise PermissionDenied()

    @extend_schema(operation_id="revitalization_statistics", parameters=[RvStatisticsQuerySerializer],
                   responses={200: RvStatisticsSerializer, 400: ErrorSerializer, 401: ErrorSerializer,
                              403: ErrorSerializer})
    def get(self, request):
        params = RvStatisticsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(RvStatisticsSerializer(revitalization_statistics(**params.validated_data)).data)


urlpatterns = [path("statistics", StatisticsView.as_view(), name="api-rv-statistics")]
