"""Pages: collections."""

urlpatterns: list = []
