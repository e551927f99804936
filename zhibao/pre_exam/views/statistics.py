"""Pages of the pre-examination channel (statistics)."""

urlpatterns: list = []
