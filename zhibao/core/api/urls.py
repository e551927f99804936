from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
router.register("cases", views.CaseViewSet, basename="case")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("jobs", views.JobViewSet, basename="job")

urlpatterns = [
    path("me", views.MeView.as_view(), name="api-me"),
    path("services", views.ServiceListView.as_view(), name="api-services"),
    path("", include(router.urls)),
]
