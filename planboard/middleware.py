"""Chinese unless the user chose otherwise: the language comes from the language cookie alone."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.defaults import page_not_found


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
