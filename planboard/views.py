import sys

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.i18n import set_language

from figures import notices
from planboard.plan_pages import PLAN_PAGES
from plans import progress
from plans.models import District, Indicator, Plan, Task
from plans.shortcuts import PLAN_PREFIX, reverse_in


def server_error(request):
    """Django's 500, except while the database cannot be reached (restarting, or its network cut): then a 503 that
    says to try again shortly, since nothing is broken and the balancer's health check takes the server out
    meanwhile. The API answers JSON either way (docs/api.md). Neither reads the request's context: the error may
    come from the database."""
    away = database_away(sys.exc_info()[1])
    status = 503 if away else 500
    if request.path_info.startswith("/api/"):
        if away:
            code, message = "unavailable", _("数据库暂时无法连接，请稍后再试。")
        else:
            code, message = "server_error", _("服务器出错，已记录。")
        response = JsonResponse({"error": {"code": code, "message": str(message)}}, status=status)
    else:
        response = HttpResponse(render_to_string("503.html" if away else "500.html"), status=status)
    if away:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


RETRY_AFTER_SECONDS = 10


def database_away(error):
    """Did `error` come from a database that cannot be reached, rather than from a query (a missing table, a deadlock,
    a timeout: those stay 500s, to be looked into)? PostgreSQL names the class of its errors: 08 (the connection) and
    57P (the server shutting down or starting); a client that could not talk to the server at all has no code.
    SQLite is a file, never away."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    code = getattr(error.__cause__, "pgcode", None) or getattr(error.__cause__, "sqlstate", None)
    if code:
        return code.startswith(("08", "57P"))
    return connection.vendor == "postgresql"


@require_GET
@login_not_required
def healthz(request):
    """For load balancers: 200 when this app server can reach its database, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
@login_not_required
@cache_control(max_age=3600, public=True)
def status_css(request):
    """The status badges' and bars' colours, from progress.py, so pages, charts and Excel cannot disagree; also as
    custom properties (--regressing, --regressing-text…) for the rest of planboard.css."""
    names = {status: status.replace("_", "-") for status in progress.STATUS_COLOURS}
    properties = "".join(
        f"--{names[status]}: {colour}; --{names[status]}-text: {progress.STATUS_TEXT_COLOURS[status]}; "
        for status, colour in progress.STATUS_COLOURS.items()
    )
    rules = [f":root {{ {properties}}}\n"] + [
        f".status-{status} {{ background: {colour}; color: {progress.STATUS_TEXT_COLOURS[status]}; }}\n"
        f".fill-{status} {{ fill: {colour}; }}\n"
        for status, colour in progress.STATUS_COLOURS.items()
    ]
    return HttpResponse("".join(rules), content_type="text/css; charset=utf-8")


# Pages about one object of a plan: in another plan, the same page if it has that object.
SAME_OBJECT = {
    "dashboards:indicator": lambda plan, code: Indicator.objects.filter(plan=plan, code=code).exists(),
    "dashboards:district": lambda plan, code: District.objects.filter(code=code).exists(),
    "tasks:detail": lambda plan, number: Task.objects.filter(plan=plan, number=number).exists(),
}
# Pages of one plan's work in progress: in another plan, where that work starts.
SAME_KIND = {"figures:import-preview": "figures:import"}


@require_GET
def switch_plan(request):
    """The plan switcher: the page `next` (an address in one plan) in the plan `to`, where it exists there,
    otherwise that plan's dashboard."""
    plan = get_object_or_404(Plan, code=request.GET.get("to", ""))
    return redirect(same_page_in(plan, request.GET.get("next", "")))


def same_page_in(plan, address):
    match = PLAN_PREFIX.match(address)
    try:
        # The root URLconf has every plan page without its prefix.
        page = resolve(address[match.end() - 1 :], urlconf=settings.ROOT_URLCONF) if match else None
    except Resolver404:
        page = None
    if page is None or page.view_name not in PLAN_PAGES:
        return reverse_in(plan, "dashboards:dashboard")
    if page.view_name in SAME_KIND:
        return reverse_in(plan, SAME_KIND[page.view_name])
    if not page.kwargs:
        return reverse_in(plan, page.view_name)
    exists = SAME_OBJECT.get(page.view_name)
    if exists and exists(plan, *page.kwargs.values()):
        return reverse_in(plan, page.view_name, kwargs=page.kwargs)
    return reverse_in(plan, "dashboards:dashboard")


class LoginView(auth_views.LoginView):
    """Django's login, remembering the language the page was in: notices and mails speak it (figures/notices.py)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        notices.remember_language(self.request.user, getattr(self.request, "LANGUAGE_CODE", ""))
        return response


@login_not_required
def choose_language(request):
    """Django's set_language; a logged-in user's choice is kept for his notices and mails."""
    response = set_language(request)
    if request.method == "POST":
        notices.remember_language(request.user, request.POST.get("language", ""))
    return response
