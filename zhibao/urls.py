from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from zhibao.accounts.forms import LoginForm
from zhibao.accounts.views import register
from zhibao.core.views import healthz

public = login_not_required

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("accounts/login/", public(auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True)), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/register/", register, name="register"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", public(auth_views.PasswordResetView.as_view()), name="password_reset"),
    path("accounts/password/reset/done/", public(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", public(auth_views.PasswordResetConfirmView.as_view()), name="password_reset_confirm"),
    path("accounts/password/reset/complete/", public(auth_views.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
    path("accounts/", include("zhibao.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("zhibao.api_urls")),
    path("", include("zhibao.patents.urls")),
    path("pre-exam/", include("zhibao.pre_exam.urls")),
    path("revitalization/", include("zhibao.revitalization.urls")),
    path("navigation/", include("zhibao.navigation.urls")),
    path("", include("zhibao.core.urls")),
    path("", include("zhibao.portal.urls")),
]

handler400 = "zhibao.core.views.bad_request"
handler403 = "zhibao.core.views.permission_denied"
handler404 = "zhibao.core.views.page_not_found"
handler500 = "zhibao.core.views.server_error"
