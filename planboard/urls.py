from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from planboard import views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("status.css", views.status_css, name="status-css"),
    # The language switch works on the login page too, before anyone has logged in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("tasks.urls")),
    path("", include("figures.urls")),
    path("", include("figures.plan_urls")),
    path("", include("dashboards.urls")),
    path("", include("exports.urls")),
]
