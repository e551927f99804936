"""Pages of the pre-examination channel (workbench)."""

urlpatterns: list = []
