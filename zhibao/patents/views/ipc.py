"""Pages: ipc."""

urlpatterns: list = []
