from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import OrganizationViewSet, TokenView

router = SimpleRouter(trailing_slash=False)
router.register("organizations", OrganizationViewSet, basename="organization")
urlpatterns = [path("auth/token", TokenView.as_view(), name="api-token"), *router.urls]
