"""/api/v1/navigation/: projects, and under each its tree, runs and reports (views.py)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
views.register(router)

urlpatterns = [*router.urls]
