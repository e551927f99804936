"""The REST API of revitalization: each area registers its viewsets on the one router; the
statistics are a plain view."""

from rest_framework.routers import SimpleRouter

from . import deals, demands, inventory, licences, pool, roadshows, statistics

router = SimpleRouter(trailing_slash=False)
for area in (inventory, pool, demands, roadshows, deals, licences):
    area.register(router)

urlpatterns = [*statistics.urlpatterns, *pool.urlpatterns, *router.urls]
