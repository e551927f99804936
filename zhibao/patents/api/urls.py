"""/api/v1/ endpoints of the patent corpus: patents, analytics, IPC, collections."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
