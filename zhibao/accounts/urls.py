from django.urls import path

from . import security_views, views

app_name = "accounts"
urlpatterns = [
    path("2fa/setup/", security_views.otp_setup, name="otp_setup"),
    path("2fa/verify/", security_views.otp_verify, name="otp_verify"),
    path("2fa/backup-codes/", security_views.otp_backup_codes, name="otp_backup_codes"),
    path("security/locked/", security_views.locked_accounts, name="locked_accounts"),
    path("security/unlock/", security_views.unlock_account, name="unlock_account"),
    path("profile/", views.profile, name="profile"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create_view, name="organization_create"),
    path("organizations/join/", views.organization_join_view, name="organization_join"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/verify/", views.organization_verify_submit, name="organization_verify"),
]
