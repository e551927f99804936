"""/api/v1/ endpoints of the patent corpus: patents, analytics, IPC, collections."""

from django.urls import path, re_path

from ..views.search import PUBLICATION_NUMBER_RE
from . import ipc_collections, patents

urlpatterns = [
    re_path(r"^patents$", patents.PatentSearchView.as_view(), name="api-patent-search"),
    re_path(r"^patents/analytics$", patents.PatentAnalyticsView.as_view(), name="api-patent-analytics"),
    re_path(rf"^patents/{PUBLICATION_NUMBER_RE}$", patents.PatentDetailView.as_view(), name="api-patent-detail"),
    re_path(rf"^patents/{PUBLICATION_NUMBER_RE}/similar$", patents.PatentSimilarView.as_view(),
            name="api-patent-similar"),
    path("ipc", ipc_collections.IpcSearchView.as_view(), name="api-ipc-search"),
    path("ipc/<ipc:code>", ipc_collections.IpcDetailView.as_view(), name="api-ipc-detail"),
    path("collections", ipc_collections.CollectionListView.as_view(), name="api-collection-list"),
    path("collections/<slug:slug>", ipc_collections.CollectionDetailView.as_view(), name="api-collection-detail"),
    path("collections/<slug:slug>/patents", ipc_collections.CollectionPatentsView.as_view(),
         name="api-collection-patents"),
]
