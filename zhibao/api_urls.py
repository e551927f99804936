"""/api/: the v1 endpoints, the OpenAPI schema and the Swagger UI (served offline by the sidecar)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from zhibao.api import not_found

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include("zhibao.core.api.urls")),
    path("v1/", include("zhibao.accounts.api.urls")),
    path("v1/", include("zhibao.patents.api.urls")),
    path("v1/", include("zhibao.pre_exam.api.urls")),
    path("v1/revitalization/", include("zhibao.revitalization.api.urls")),
    path("v1/navigation/", include("zhibao.navigation.api.urls")),
    re_path(r"^.*$", not_found),
]
