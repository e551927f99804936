"""/api/v1/pre-exam/ endpoints of the pre-examination channel."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import statistics, views

router = SimpleRouter(trailing_slash=False)
router.register("pre-exam/filings", views.FilingViewSet, basename="api-pre-exam-filing")
router.register("pre-exam/cases", views.PreExamCaseViewSet, basename="api-pre-exam-case")
router.register("pre-exam/priority-requests", views.PriorityRequestViewSet, basename="api-pre-exam-priority")

urlpatterns = [
    path("pre-exam/fields", views.TechnicalFieldListView.as_view(), name="api-pre-exam-fields"),
    path("pre-exam/statistics", statistics.StatisticsView.as_view(), name="api-pre-exam-statistics"),
    *router.urls,
]
