"""Pages of patent navigation; each area keeps its patterns beside its views."""

from importlib.util import find_spec

from .views import projects

app_name = "navigation"

urlpatterns = [*projects.urlpatterns]
if find_spec("zhibao.navigation.views.dashboard"):
    from .views import dashboard

    urlpatterns += dashboard.urlpatterns
