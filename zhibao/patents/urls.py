"""Pages of the patent corpus. Each area keeps its routes beside its views (views/<area>.py)."""

from .views import collections, imports, ipc, search

app_name = "patents"
urlpatterns = [*imports.urlpatterns, *ipc.urlpatterns, *collections.urlpatterns, *search.urlpatterns]
