"""What every JSON endpoint shares: authentication, errors and numbers. docs/api.md is the contract."""

import functools
import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from figures.models import ApiToken
from figures.pipeline import Conflict
from plans import text


def token_user(request):
    """The user of an `Authorization: Token <key>` header, or None."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Token" or not key:
        return None
    digest = hashlib.sha256(key.strip().encode()).hexdigest()
    token = ApiToken.objects.select_related("user").filter(digest=digest, user__is_active=True).first()
    return token.user if token else None


def api_view(methods=("GET",)):
    """Authenticate by session or token, and turn the service's exceptions into the contract's status codes."""

    def decorator(view):
        @login_not_required
        @csrf_exempt  # token callers have no CSRF cookie; session callers are checked below
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                return error(405, "method_not_allowed", "不支持该请求方法。")
            user = token_user(request)
            if user is not None:
                request.user = user
            elif not request.user.is_authenticated:
                return error(401, "not_authenticated", "请先登录或提供接口令牌。")
            elif request.method != "GET" and not _csrf_ok(request):
                return error(403, "csrf_failed", "CSRF 校验失败。")
            try:
                return view(request, *args, **kwargs)
            except ValidationError as invalid:
                return JsonResponse({"errors": invalid.message_dict}, status=400)
            except PermissionDenied as denied:
                return error(403, "permission_denied", str(denied) or "没有权限。")
            except Http404 as missing:
                return error(404, "not_found", str(missing) or "不存在。")
            except Conflict as conflict:
                return error(409, "conflict", str(conflict))

        return wrapper

    return decorator


def _csrf_ok(request):
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is None


def error(status, code, message):
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def json_body(request):
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError({"body": ["请求体不是合法的 JSON。"]}) from None
    if not isinstance(body, dict):
        raise ValidationError({"body": ["请求体必须是 JSON 对象。"]})
    # Any string a request sends is plain text (plans.text), whatever the field: a lone surrogate cannot even be
    # looked up in the database.
    refused = {name: [str(text.MESSAGE)] for name, value in body.items() if not _plain(name) or not _plain(value)}
    if refused:
        raise ValidationError(refused)
    return body


def _plain(value):
    if isinstance(value, str):
        return text.is_plain(value)
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_plain(key) and _plain(item) for key, item in value.items())
    return True


def number(value):
    """Decimals leave the API as JSON numbers: integers where whole, floats otherwise."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def iso_time(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def json_response(body, status=200):
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
