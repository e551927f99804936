"""Pages of revitalization; each area keeps its own patterns beside its views."""

from .views import deals, demands, inventory, licences, pool, roadshows, statistics

app_name = "revitalization"

urlpatterns = [
    *inventory.urlpatterns,
    *pool.urlpatterns,
    *demands.urlpatterns,
    *roadshows.urlpatterns,
    *deals.urlpatterns,
    *licences.urlpatterns,
    *statistics.urlpatterns,
]
