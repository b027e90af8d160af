from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from plans import progress


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
    """The status badges' and bars' colours, from progress.py, so pages, charts and Excel cannot disagree."""
    rules = [
        f".status-{status} {{ background: {colour}; color: {progress.STATUS_TEXT_COLOURS[status]}; }}\n"
        f".fill-{status} {{ fill: {colour}; }}\n"
        for status, colour in progress.STATUS_COLOURS.items()
    ]
    return HttpResponse("".join(rules), content_type="text/css; charset=utf-8")
