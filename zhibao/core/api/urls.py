from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
router.register("cases", views.CaseViewSet, basename="case")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("jobs", views.JobViewSet, basename="job")

urlpatterns = [
    path("me", views.MeView.as_view(), name="api-me"),
    path("services", views.ServiceListView.as_view(), name="api-services"),
    path("auth/token", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
