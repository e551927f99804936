"""Pages of the pre-examination channel (applicant)."""

urlpatterns: list = []
