from django.urls import path

from . import audit, views
from .attachments.views import attachment_download

app_name = "core"
urlpatterns = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/download/", views.job_download, name="job_download"),
    path("attachments/<uuid:pk>/", attachment_download, name="attachment_download"),
    path("cases/export/", views.cases_export_start, name="cases_export"),
    path("audit/", audit.security_events, name="audit_security"),
    path("audit/changes/", audit.change_log, name="audit_changes"),
    path("maps/<slug:map_name>.json", views.region_map_json, name="region_map"),
]
