"""/api/v1/patents: search with highlights and facets, one patent, analytics, similar patents.

The same engine and the same parameters as the search pages (views/search.py). A query the
parser cannot read is a 400 whose body is the one error shape plus where the error is:
{"code": "query_syntax", "message", "fields": {"q": [...]}, "position", "expected"}.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from zhibao.api import ErrorSerializer

from ..choices import ApplicantType, LegalStatus, PatentType
from ..models import Patent
from ..views.search import (
    FILTER_KEYS,
    MAX_FILTER_LENGTH,
    MAX_FILTER_VALUES,
    MAX_QUERY_LENGTH,
    MAX_RESULT_WINDOW,
    SORTS,
    engine,
    patent_for_number,
    patent_ipc_titles,
    query_syntax_error,
)

AGGREGATIONS = ("year", "applicant", "ipc_subclass", "ipc_group", "ipc_section", "province", "league", "type",
                "legal_status", "applicant_type")
MATRIX_X = ("year", "applicant")
MATRIX_Y = ("ipc_subclass",)
FACETS = ("year", "ipc_subclass", "applicant", "province", "type", "legal_status")


# --- Serializers ------------------------------------------------------------------------------


class QuerySyntaxErrorSerializer(ErrorSerializer):
    position = serializers.IntegerField(required=False, allow_null=True,
                                        help_text="0-based character position of the error in q")
    expected = serializers.CharField(required=False, allow_blank=True, help_text="What the parser expected there")


def _filter_field(help_text: str):
    return serializers.ListField(child=serializers.CharField(max_length=MAX_FILTER_LENGTH), required=False,
                                 max_length=MAX_FILTER_VALUES, help_text=help_text)


class PatentQuerySerializer(serializers.Serializer):
    """The query string and the drill-down filters (each repeatable, AND-ed with q)."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUERY_LENGTH, default="",
                              help_text='The query language: TI= AB= CL= TIAB= PA= IN= IPC= MIPC= PN= AN= AD= PD= GD= '
                                        'PR= CITY= LS= TYPE=, AND/OR/NOT, parentheses, "phrases"; bare words search '
                                        'title and abstract. Empty: every patent.')
    year = serializers.ListField(child=serializers.IntegerField(min_value=1900, max_value=2100), required=False,
                                 max_length=MAX_FILTER_VALUES, help_text="Application year, e.g. 2021")
    ipc_subclass = _filter_field("IPC subclass, e.g. H01M")
    applicant = _filter_field("Applicant name, exactly as in the facet")
    province = _filter_field("Province of the first applicant, e.g. 内蒙古自治区")
    type = _filter_field("invention, utility_model or design")
    legal_status = _filter_field("pending, granted, lapsed, expired, invalidated, withdrawn, rejected, unknown")
    league = _filter_field("GB/T 2260 code of an Inner Mongolia league, e.g. 150200")

    def filters(self) -> dict[str, list[str]]:
        data = self.validated_data
        filters = {k: list(dict.fromkeys(str(v).strip() for v in data.get(k) or [])) for k in FILTER_KEYS}
        return {k: [v for v in values if v] for k, values in filters.items() if any(values)}


class PatentSearchQuerySerializer(PatentQuerySerializer):
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=MAX_RESULT_WINDOW)
    page_size = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="relevance")

    def validate(self, attrs):
        if attrs["page"] * attrs["page_size"] > MAX_RESULT_WINDOW:
            raise serializers.ValidationError({"page": [_("Only the first %(n)d results can be paged through; "
                                                          "narrow the query.") % {"n": MAX_RESULT_WINDOW}]})
        return attrs


class BucketSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class HitSerializer(serializers.Serializer):
    publication_number = serializers.CharField()
    score = serializers.FloatField(help_text="Relevance (0 when sorted by a date)")
    title = serializers.CharField()
    title_html = serializers.CharField(help_text="HTML-escaped title, the query's words in <mark>")
    abstract_html = serializers.CharField(help_text="HTML-escaped excerpt of the abstract, words in <mark>")
    applicants = serializers.ListField(child=serializers.CharField())
    inventors = serializers.ListField(child=serializers.CharField())
    ipc_main = serializers.CharField()
    ipc_codes = serializers.ListField(child=serializers.CharField())
    patent_type = serializers.CharField()
    patent_type_label = serializers.CharField()
    legal_status = serializers.CharField()
    legal_status_label = serializers.CharField()
    application_number = serializers.CharField()
    application_date = serializers.DateField(allow_null=True)
    publication_date = serializers.DateField(allow_null=True)
    grant_date = serializers.DateField(allow_null=True)
    province = serializers.CharField()
    city = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, hit) -> str:
        return f"/api/v1/patents/{hit.publication_number}"


class FacetsSerializer(serializers.Serializer):
    year = BucketSerializer(many=True, required=False)
    ipc_subclass = BucketSerializer(many=True, required=False)
    applicant = BucketSerializer(many=True, required=False)
    province = BucketSerializer(many=True, required=False)
    type = BucketSerializer(many=True, required=False)
    legal_status = BucketSerializer(many=True, required=False)


class PatentSearchResultSerializer(serializers.Serializer):
    q = serializers.CharField(allow_blank=True)
    sort = serializers.CharField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    total = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    took_ms = serializers.FloatField()
    results = HitSerializer(many=True)
    facets = FacetsSerializer()


class ApplicantSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, default="")
    address = serializers.CharField(allow_blank=True, default="")
    province = serializers.CharField(allow_blank=True, default="")
    city = serializers.CharField(allow_blank=True, default="")
    county = serializers.CharField(allow_blank=True, default="")
    type = serializers.CharField(allow_blank=True, default="")
    type_label = serializers.SerializerMethodField()

    def get_type_label(self, applicant) -> str:
        value = applicant.get("type", "") if isinstance(applicant, dict) else ""
        return str(ApplicantType(value).label) if value in ApplicantType.values else value


class IpcEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    main = serializers.BooleanField()


class PatentSerializer(serializers.ModelSerializer):
    """The full record (the counts of citations, family, transfers, licences and pledges included)."""

    patent_type_label = serializers.SerializerMethodField()
    legal_status_label = serializers.SerializerMethodField()
    applicants = serializers.SerializerMethodField()
    ipc = serializers.SerializerMethodField()
    inventors = serializers.ListField(child=serializers.CharField())
    agents = serializers.ListField(child=serializers.CharField())
    ipc_codes = serializers.ListField(child=serializers.CharField())
    cpc_codes = serializers.ListField(child=serializers.CharField())
    priorities = serializers.ListField(child=serializers.DictField(), help_text='[{"number", "date"}]')
    legal_events = serializers.ListField(child=serializers.DictField(), help_text='[{"date", "event", "detail"}], '
                                                                                  "oldest first")
    current_holders = serializers.JSONField()
    cited_patents = serializers.JSONField()
    family = serializers.JSONField()

    class Meta:
        model = Patent
        fields = [
            "publication_number", "application_number", "grant_number", "patent_type", "patent_type_label", "title",
            "abstract", "first_claim", "claims_count", "applicants", "first_applicant", "applicant_type",
            "current_holders", "province", "province_code", "city", "county", "league_code", "banner_code",
            "inventors", "agency", "agents", "ipc_main", "ipc_codes", "ipc", "cpc_codes", "priorities",
            "application_date", "publication_date", "grant_date", "legal_status", "legal_status_label",
            "legal_status_raw", "legal_events", "citation_count", "cited_patents", "family", "family_size",
            "transfer_count", "licence_count", "pledge_count", "source_file", "updated_at",
        ]

    def get_patent_type_label(self, patent) -> str:
        return str(PatentType(patent.patent_type).label) if patent.patent_type in PatentType.values else ""

    def get_legal_status_label(self, patent) -> str:
        return str(LegalStatus(patent.legal_status).label) if patent.legal_status in LegalStatus.values else ""

    @extend_schema_field(ApplicantSerializer(many=True))
    def get_applicants(self, patent) -> list[dict]:
        return ApplicantSerializer([a for a in patent.applicants if isinstance(a, dict)], many=True).data

    @extend_schema_field(IpcEntrySerializer(many=True))
    def get_ipc(self, patent) -> list[dict]:
        titles = patent_ipc_titles(patent)
        codes = patent.ipc_codes or ([patent.ipc_main] if patent.ipc_main else [])
        return [{"code": c, "title": titles.get(c, ""), "main": c == patent.ipc_main} for c in codes]


class MatrixCellSerializer(serializers.Serializer):
    x = serializers.CharField()
    y = serializers.CharField()
    count = serializers.IntegerField()


class MatrixSerializer(serializers.Serializer):
    x = serializers.CharField()
    y = serializers.CharField()
    rows = BucketSerializer(many=True, help_text="The top values of x")
    columns = BucketSerializer(many=True, help_text="The top values of y")
    cells = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()),
                                  help_text="cells[i][j]: patents with rows[i] and columns[j]")


class AnalyticsQuerySerializer(PatentQuerySerializer):
    by = serializers.ChoiceField(choices=[*AGGREGATIONS, "all"], required=False, default="all",
                                 help_text="One dimension, or all of them (with the two matrices)")
    size = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100,
                                    help_text="Buckets per dimension (matrix: rows)")
    x = serializers.ChoiceField(choices=list(MATRIX_X), required=False, help_text="Matrix rows (with y)")
    y = serializers.ChoiceField(choices=list(MATRIX_Y), required=False, help_text="Matrix columns (with x)")

    def validate(self, attrs):
        if bool(attrs.get("x")) != bool(attrs.get("y")):
            raise serializers.ValidationError({"y" if attrs.get("x") else "x": [
                _("A matrix needs both x and y.")]})
        return attrs


class AnalyticsSerializer(serializers.Serializer):
    q = serializers.CharField(allow_blank=True)
    by = serializers.CharField()
    total = serializers.IntegerField()
    buckets = serializers.DictField(child=BucketSerializer(many=True),
                                    help_text="Buckets per dimension: the one asked for, or every one for by=all")
    matrices = serializers.DictField(child=MatrixSerializer(),
                                     help_text='"x_x_y" → matrix: the one asked for (x, y), or both for by=all')


class SimilarSerializer(serializers.Serializer):
    publication_number = serializers.CharField()
    results = HitSerializer(many=True)


# --- Views ------------------------------------------------------------------------------------

ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
SYNTAX_ERROR = {400: QuerySyntaxErrorSerializer}
NUMBER_PARAM = OpenApiParameter("publication_number", OpenApiTypes.STR, OpenApiParameter.PATH,
                                description="Publication number in any spelling: CN218751475U, cn218751475u, "
                                            "CN 218751475 U")


def syntax_error_response(exc) -> Response:
    return Response({
        "code": "query_syntax", "message": exc.message,
        "fields": {"q": [exc.message]}, "position": exc.position, "expected": exc.expected or "",
    }, status=400)


class CorpusView(APIView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.has_perm("patents.view_corpus"):
            raise PermissionDenied()


class PatentSearchView(CorpusView):
    """Search the corpus: ranked hits with highlights, facets with counts, the total."""

    @extend_schema(operation_id="patents_search", parameters=[PatentSearchQuerySerializer], responses={200: PatentSearchResultSerializer,
                                                                        **SYNTAX_ERROR, **ERRORS})
    def get(self, request):
        params = PatentSearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            result = engine().search(data["q"], filters=params.filters() or None, sort=data["sort"],
                                     page=data["page"], page_size=data["page_size"], facets=FACETS)
        except query_syntax_error() as exc:
            return syntax_error_response(exc)
        return Response(PatentSearchResultSerializer({
            "q": data["q"], "sort": data["sort"], "page": data["page"], "page_size": data["page_size"],
            "total": result.total, "num_pages": result.num_pages, "took_ms": round(result.took_ms, 2),
            "results": result.hits, "facets": result.facets,
        }).data)


class PatentDetailView(CorpusView):
    """One patent, its full record."""

    @extend_schema(operation_id="patents_retrieve", parameters=[NUMBER_PARAM], responses={200: PatentSerializer, **ERRORS})
    def get(self, request, publication_number):
        return Response(PatentSerializer(patent_for_number(publication_number)).data)


class PatentSimilarView(CorpusView):
    """Patents sharing the most distinctive words of this one's title and abstract."""

    @extend_schema(operation_id="patents_similar", parameters=[NUMBER_PARAM, OpenApiParameter("limit", int, description="1–50, default 10")],
                   responses={200: SimilarSerializer, 400: ErrorSerializer, **ERRORS})
    def get(self, request, publication_number):
        limit = serializers.IntegerField(min_value=1, max_value=50)
        try:
            limit = limit.run_validation(request.query_params.get("limit", 10))
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"limit": exc.detail}) from exc
        patent = patent_for_number(publication_number)
        hits = engine().more_like_this(patent.publication_number, limit=limit)
        return Response(SimilarSerializer({"publication_number": patent.publication_number, "results": hits}).data)


def _matrix_data(matrix) -> dict:
    return {"x": matrix.x, "y": matrix.y, "rows": matrix.rows, "columns": matrix.columns, "cells": matrix.cells}


class PatentAnalyticsView(CorpusView):
    """Counts of the matching patents per year, applicant, IPC, region, type, status; and matrices."""

    @extend_schema(operation_id="patents_analytics", parameters=[AnalyticsQuerySerializer], responses={200: AnalyticsSerializer, **SYNTAX_ERROR,
                                                                     **ERRORS})
    def get(self, request):
        params = AnalyticsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        q, filters, by = data["q"], params.filters() or None, data["by"]
        eng = engine()
        try:
            if by == "all" and not data.get("x"):
                result = eng.analytics(q, filters=filters, size=data["size"])
                total = result["total"]
                buckets = {name: result[name] for name in AGGREGATIONS if name in result}
                matrices = {key: _matrix_data(value) for key, value in result.items() if key.endswith(
                    ("_x_ipc_subclass",))}
            else:
                total = eng.count(q, filters=filters)
                buckets = {} if by == "all" else {by: eng.aggregate(q, by, size=data["size"], filters=filters)}
                matrices = {}
                if data.get("x"):
                    matrix = eng.matrix(q, data["x"], data["y"], size_x=data["size"], size_y=10, filters=filters)
                    matrices[f"{data['x']}_x_{data['y']}"] = _matrix_data(matrix)
        except query_syntax_error() as exc:
            return syntax_error_response(exc)
        return Response(AnalyticsSerializer({"q": q, "by": by, "total": total, "buckets": buckets,
                                             "matrices": matrices}).data)
