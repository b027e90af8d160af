"""Chinese unless the user chose otherwise (the language comes from the language cookie alone), and which plan a
page is of."""

import time

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from figures import versions
from planboard import urls
from planboard.plan_pages import PLAN_PAGES
from plans import text
from plans.models import RESERVED_PLAN_CODES, Plan
from plans.shortcuts import PLAN_PREFIX, in_plan


class ChosenLanguageMiddleware:
    """Like LocaleMiddleware, but never reads Accept-Language (nor URL prefixes or the session).

    Officials' browsers are often set to English by the IT department; the site is Chinese first, and English is
    what a user picks with the language switch (Django's set_language view, which sets the cookie read here).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Cookie",))
        return response


def chosen_language(request):
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class FriendlyNotFoundMiddleware:
    """Under DEBUG (`make run`), a missing page is templates/404.html too, not Django's technical 404 page.

    People try `make run` on a phone and share links with colleagues; the English URL list is no help to them.
    Real errors (500) keep Django's debug page, which is what a developer needs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and b"<title>Page not found at" in response.content[:2000]:
            return page_not_found(request, exception=None)
        return response


class PlanMiddleware:
    """Which plan a page is of: the one its address names, /plans/<code>/… (no plan of that code: no such page).

    The plan goes on `request.plan`, and its URLconf on `request.urlconf`, so links on the page stay in the plan.
    A plan page's old address without a plan (/, /review/…) redirects to the current plan's, query and all.
    One query at most: the data versions (the plans are cached on them), or the current plan for a redirect; none
    for other pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = PLAN_PREFIX.match(request.path_info)
        if match and match["code"] not in RESERVED_PLAN_CODES:
            # Every plan, for the header's plan switcher too; read once per data version (figures.versions).
            plans = versions.page_basics(request).plans
            plan = next((p for p in plans if p.code == match["code"]), None)
            if plan is not None:
                request.plans, request.plan = plans, plan
                request.urlconf = urls.urlconf_of(plan.code)
            # Otherwise no plan's page: a workbook download (/plans/<code>/workbook.xlsx), or a 404.
            return self.get_response(request)
        return self.to_current_plan(request) or self.get_response(request)

    @staticmethod
    def to_current_plan(request):
        try:
            page = resolve(request.path_info, urlconf=settings.ROOT_URLCONF)
        except Resolver404:
            return None
        if page.view_name not in PLAN_PAGES:
            return None
        plan = Plan.objects.current()
        if plan is None:
            raise Http404(_("尚未载入规划。"))
        url = in_plan(plan, request.path_info)
        if request.META.get("QUERY_STRING"):
            url = f"{url}?{request.META['QUERY_STRING']}"
        return HttpResponseRedirect(url)


class SlidingSessionMiddleware:
    """Keeps a session alive while its user is active, writing it at most every SESSION_REFRESH_SECONDS.

    Officials share office computers, so a session ends SESSION_COOKIE_AGE after its last request. Saving the session
    on every request (SESSION_SAVE_EVERY_REQUEST) would make each page view a database write, which fifty leaders
    reading at once pay for; refreshing it every five minutes ends an idle session between 55 and 60 minutes
    after its last request instead of exactly 60.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            now = int(time.time())
            if now - session.get(TOUCHED, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[TOUCHED] = now  # modified: SessionMiddleware saves it, with a new expiry and cookie
        return response


TOUCHED = "_planboard_touched"


class PlainAddressMiddleware:
    """Text is text in addresses too (plans.text): a path or query parameter holding a control character is a 400
    naming it (JSON for the API, docs/api.md), before any view hands it to a database that cannot compare it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = [] if text.is_plain(request.path) else ["path"]
        refused += [
            name
            for name, values in request.GET.lists()
            if not text.is_plain(name) or not all(text.is_plain(value) for value in values)
        ]
        if not refused:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"errors": {name: [str(text.MESSAGE)] for name in refused}}, status=400)
        return HttpResponseBadRequest(str(text.MESSAGE), content_type="text/plain; charset=utf-8")
