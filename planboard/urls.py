"""The site's URLs. A plan's pages live under /plans/<code>/; the rest of the site (accounts, admin, the API, the
plan workbook) has no plan in its address.

Each plan has a URLconf of its own (`urlconf_of`), which PlanMiddleware sets as the request's: every reverse() and
{% url %} on a plan's page then yields that plan's addresses, with no plan argument anywhere. The root URLconf
below has the plan pages without a prefix, their old addresses, which PlanMiddleware redirects to the current
plan's; reverse() outside any request (commands, the API) yields those, and they lead to the current plan too.
"""

import functools
import types
from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from planboard import views
from planboard.plan_pages import APPS
from plans.shortcuts import plan_path

SITE = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("status.css", views.status_css, name="status-css"),
    # The language switch works on the login page too, before anyone has logged in.
    path("i18n/setlang/", views.choose_language, name="set_language"),
    path("switch-plan/", views.switch_plan, name="switch-plan"),
]


def _apps(prefix):
    """Every app in its namespace: its plan pages under `prefix`, its other URLs at the root."""
    patterns = []
    for name in APPS:
        module = import_module(name)
        own = [*getattr(module, "unprefixed", []), path(prefix, include(module.urlpatterns))]
        patterns.append(path("", include((own, module.app_name))))
    return patterns


urlpatterns = SITE + _apps("")
handler500 = "planboard.views.server_error"


@functools.cache
def urlconf_of(code):
    """The URLconf of the plan `code`'s pages: the site's, with the plan pages under /plans/<code>/."""
    module = types.ModuleType(f"planboard.urls.{code}")
    module.urlpatterns = SITE + _apps(plan_path(code))
    module.handler500 = handler500
    return module
