"""Pages: search."""

urlpatterns: list = []
