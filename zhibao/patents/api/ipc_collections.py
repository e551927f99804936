"""/api/v1/ipc and /api/v1/collections: the IPC scheme and the industry collections."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from zhibao.api import ErrorSerializer, Pagination

from ..collections import (
    collection_create,
    collection_delete,
    collection_search,
    collection_update,
    collections_visible_to,
)
from ..ipc import ipc_children, ipc_lookup, ipc_path, ipc_search
from ..models import Collection, IpcCode
from ..search import MAX_RESULT_WINDOW
from ..views import ipc as _ipc_views  # noqa: F401  (registers the "ipc" path converter)

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


# --- IPC ----------------------------------------------------------------------------------------


class IpcBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = IpcCode
        fields = ["code", "level", "title"]


class IpcDetailSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True)
    path = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()

    class Meta:
        model = IpcCode
        fields = ["code", "level", "title", "notes", "edition", "parent", "path", "children"]

    @extend_schema(responses=IpcBriefSerializer(many=True))
    def get_path(self, node) -> list[dict]:
        return IpcBriefSerializer(ipc_path(node.code), many=True).data

    @extend_schema(responses=IpcBriefSerializer(many=True))
    def get_children(self, node) -> list[dict]:
        return IpcBriefSerializer(ipc_children(node.code), many=True).data


@extend_schema(parameters=[OpenApiParameter("q", str, required=True,
                                            description="Words every title must contain, or a code prefix (H01F1/0).")],
               responses={200: IpcBriefSerializer(many=True), **ERRORS})
class IpcSearchView(generics.ListAPIView):
    """Search the IPC scheme by title words and code prefixes, in the scheme's order."""

    serializer_class = IpcBriefSerializer
    filterset_class = None
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IpcCode.objects.none()
        q = self.request.query_params.get("q", "").strip()
        if not q:
            raise exceptions.ValidationError({"q": [_("Give the words or the code to search for.")]})
        return ipc_search(q[:100], limit=500)


@extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH,
                                            description="An IPC code: H01F, H01F1/057 or H01F1-057.")],
               responses={200: IpcDetailSerializer, **ERRORS})
class IpcDetailView(APIView):
    """One IPC symbol with its notes, its path from the section and its children."""

    def get(self, request, code):
        node = ipc_lookup(code)
        if node is None:
            raise exceptions.NotFound(_("No IPC symbol %(code)s.") % {"code": code})
        return Response(IpcDetailSerializer(node).data)


# --- Collections --------------------------------------------------------------------------------


class CollectionSerializer(serializers.ModelSerializer):
    owner = serializers.StringRelatedField()

    class Meta:
        model = Collection
        fields = ["slug", "name", "description", "query", "includes", "excludes", "is_public", "owner",
                  "patent_count", "refreshed_at", "created_at", "updated_at"]
        read_only_fields = fields


class CollectionWriteSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=50)
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    query = serializers.CharField(required=False, allow_blank=True, default="")
    includes = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list)
    excludes = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list)
    is_public = serializers.BooleanField(required=False, default=True)


class CollectionPatentSerializer(serializers.Serializer):
    publication_number = serializers.CharField()
    title = serializers.CharField()
    applicants = serializers.ListField(child=serializers.CharField())
    application_date = serializers.CharField(allow_null=True)
    ipc_main = serializers.CharField(allow_blank=True)
    patent_type = serializers.CharField()
    legal_status = serializers.CharField()


def _hit_value(hit, name):
    value = hit.get(name) if isinstance(hit, dict) else getattr(hit, name, None)
    if name == "applicants" and value:
        return [a.get("name", "") if isinstance(a, dict) else str(a) for a in value]
    if name == "application_date" and value is not None:
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value if value is not None else ("" if name != "applicants" else [])


def _require_manager(request) -> None:
    if not request.user.has_perm("patents.change_collection"):
        raise exceptions.PermissionDenied(_("Only the center's operators may curate industry collections."))


@extend_schema(request=CollectionWriteSerializer, responses={200: CollectionSerializer(many=True),
                                                            201: CollectionSerializer, **ERRORS})
class CollectionListView(generics.ListAPIView):
    """Industry collections I may see (public ones, my own; operators see all); operators create."""

    serializer_class = CollectionSerializer
    filterset_class = None
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Collection.objects.none()
        return collections_visible_to(self.request.user)

    def post(self, request):
        _require_manager(request)
        data = CollectionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        collection = collection_create(user=request.user, **data.validated_data)
        return Response(CollectionSerializer(collection).data, status=status.HTTP_201_CREATED)


def _visible_collection(request, slug) -> Collection:
    collection = get_object_or_404(collections_visible_to(request.user), slug=slug)
    if not request.user.has_perm("patents.view_collection", collection):
        raise exceptions.NotFound()
    return collection


@extend_schema(responses={200: CollectionSerializer, **ERRORS})
class CollectionDetailView(APIView):
    """One collection; operators change it (PATCH) or delete it."""

    def get(self, request, slug):
        return Response(CollectionSerializer(_visible_collection(request, slug)).data)

    @extend_schema(request=CollectionWriteSerializer(partial=True), responses={200: CollectionSerializer, **ERRORS})
    def patch(self, request, slug):
        collection = _visible_collection(request, slug)
        _require_manager(request)
        data = CollectionWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        collection = collection_update(user=request.user, collection=collection, **data.validated_data)
        return Response(CollectionSerializer(collection).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, slug):
        collection = _visible_collection(request, slug)
        _require_manager(request)
        collection_delete(user=request.user, collection=collection)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[
    OpenApiParameter("q", str, description="Search within the collection (the query language of the search page)."),
    OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("page_size", OpenApiTypes.INT),
], responses={200: CollectionPatentSerializer(many=True), **ERRORS})
class CollectionPatentsView(APIView):
    """The collection's patents, as the search engine finds them, a page at a time."""

    def get(self, request, slug):
        from ..search import QuerySyntaxError

        collection = _visible_collection(request, slug)
        try:
            page = max(1, int(request.query_params.get("page", 1)))
            page_size = min(Pagination.max_page_size, max(1, int(request.query_params.get("page_size", 20))))
        except ValueError:
            raise exceptions.ValidationError({"page": [_("page and page_size must be whole numbers.")]}) from None
        if page * page_size > MAX_RESULT_WINDOW:
            raise exceptions.ValidationError({"page": [
                _("Only the first %(max)d results can be paged through; narrow the search.") % {"max": MAX_RESULT_WINDOW}]})
        try:
            result = collection_search(collection=collection, q=request.query_params.get("q", ""), page=page,
                                       page_size=page_size)
        except QuerySyntaxError as exc:
            raise exceptions.ValidationError({"q": [exc.message]}) from exc
        hits = result.hits if result else []
        rows = [{name: _hit_value(hit, name) for name in CollectionPatentSerializer().fields} for hit in hits]
        return Response({"count": result.total if result else 0, "page": page, "page_size": page_size,
                         "results": CollectionPatentSerializer(rows, many=True).data})
