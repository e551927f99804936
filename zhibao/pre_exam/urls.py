"""The channel's pages: each view module keeps its own routes (applicant side, workbench,
statistics), mounted here under /pre-exam/."""

from .views import applicant, statistics, workbench

app_name = "pre_exam"
urlpatterns = [*applicant.urlpatterns, *workbench.urlpatterns, *statistics.urlpatterns]
