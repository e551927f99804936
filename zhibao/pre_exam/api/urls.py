"""/api/v1/pre-exam/ endpoints of the pre-examination channel."""

urlpatterns: list = []
