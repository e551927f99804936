"""The REST API of revitalization: each area registers its viewsets on the one router."""

from rest_framework.routers import SimpleRouter

from . import deals, demands, inventory, licences, pool, roadshows, statistics

router = SimpleRouter(trailing_slash=False)
for area in (inventory, pool, demands, roadshows, deals, licences, statistics):
    area.register(router)

urlpatterns = router.urls
