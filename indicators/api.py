"""JSON endpoints. docs/api.md is the contract: keys, number types and status codes."""

import functools
import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from indicators import reports, services
from indicators.models import ApiToken, District, Indicator, Observation, Plan, Target
from indicators.progress import STATUS_LABELS
from indicators.services import Conflict
from tasks.models import Task


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
    return body


def number(value):
    """Decimals leave the API as JSON numbers: integers where whole, floats otherwise."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@api_view()
def plan_detail(request):
    plan = Plan.objects.current()
    if plan is None:
        raise Http404("尚未载入规划。")
    indicators = (
        Indicator.objects.filter(plan=plan)
        .select_related("task")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.select_related("district").order_by("district__order", "year")),
            Prefetch(
                "observations",
                queryset=Observation.objects.approved().filter(year=plan.base_year).select_related("district"),
                to_attr="baselines",
            ),
        )
    )
    tasks = Task.objects.filter(plan=plan).prefetch_related("items")
    return JsonResponse(
        {
            "plan": {
                "code": plan.code,
                "name": plan.name,
                "document_number": plan.document_number,
                "base_year": plan.base_year,
                "target_year": plan.target_year,
            },
            "districts": [
                {"code": d.code, "name": d.name, "short_name": d.short_name, "kind": d.kind}
                for d in District.objects.all()
            ],
            "indicators": [
                {
                    "code": i.code,
                    "name": i.name,
                    "unit": i.unit,
                    "direction": i.direction,
                    "group": i.group,
                    "section": i.section,
                    "cumulative": i.cumulative,
                    "task": i.task.number if i.task else None,
                    "needs_review": i.needs_review,
                    "targets": [
                        {
                            "district": t.district.code,
                            "year": t.year,
                            "value": number(t.value),
                            "upper": number(t.upper),
                            "operator": t.operator,
                        }
                        for t in i.targets.all()
                    ],
                    "baselines": [
                        {"district": o.district.code, "year": o.year, "value": number(o.value)} for o in i.baselines
                    ],
                }
                for i in indicators
            ],
            "tasks": [
                {
                    "number": t.number,
                    "category": t.category,
                    "title": t.title,
                    "department": t.department,
                    "needs_review": t.needs_review,
                    "items": [{"order": item.order, "content": item.content} for item in t.items.all()],
                }
                for t in tasks
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@api_view(methods=("GET", "POST"))
def observations(request):
    """GET lists the figures the caller may see; POST creates or updates one through services.record_value."""
    plan = Plan.objects.current()
    if plan is None:
        raise Http404("尚未载入规划。")
    if request.method == "POST":
        return _record_observation(request, plan)
    rows = (
        Observation.objects.visible_to(request.user)
        .filter(indicator__plan=plan)
        .select_related("indicator", "district", "entered_by", "approved_by")
    )
    if request.GET.get("district"):
        district = District.objects.visible_to(request.user).filter(code=request.GET["district"]).first()
        if district is None:
            raise Http404("没有这个地区。")
        rows = rows.filter(district=district)
    if request.GET.get("year"):
        try:
            rows = rows.filter(year=int(request.GET["year"]))
        except ValueError:
            raise ValidationError({"year": ["年份必须是整数。"]}) from None
    if request.GET.get("indicator"):
        rows = rows.filter(indicator__code=request.GET["indicator"])
    return JsonResponse(
        {"observations": [observation_json(o) for o in rows]}, json_dumps_params={"ensure_ascii": False}
    )


def _record_observation(request, plan):
    body = json_body(request)
    indicator = Indicator.objects.select_related("plan").filter(plan=plan, code=str(body.get("indicator", ""))).first()
    district = District.objects.filter(code=str(body.get("district", ""))).first()
    errors = {}
    if indicator is None:
        errors["indicator"] = [f"没有指标“{body.get('indicator', '')}”。"]
    if district is None:
        errors["district"] = [f"没有地区“{body.get('district', '')}”。"]
    if errors:
        raise ValidationError(errors)
    cell = {"indicator": indicator, "district": district, "year": body.get("year")}
    # 201 for a new figure, 200 for a change; a figure created meanwhile makes record_value refuse (409).
    existed = Observation.objects.filter(**cell | {"year": _int_or_none(cell["year"])}).exists()
    observation = services.record_value(
        by=request.user,
        **cell,
        value=body.get("value"),
        note=body.get("note") or "",
        source=body.get("source") or "",
        reason=body.get("reason") or "",
        measures=body.get("measures") or "",
        action=body.get("action") or services.Action.SAVE,
        version=body.get("version"),
        confirm=body.get("confirm") or False,
        require_version=True,
    )
    return JsonResponse(
        observation_json(observation), status=200 if existed else 201, json_dumps_params={"ensure_ascii": False}
    )


def _int_or_none(year):
    try:
        return int(str(year).strip())
    except ValueError:
        return None


def _time(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def observation_json(o):
    return {
        "indicator": o.indicator.code,
        "district": o.district.code,
        "year": o.year,
        "value": number(o.value),
        "status": o.status,
        "version": o.version,
        "note": o.note,
        "source": o.source,
        "reason": o.reason,
        "measures": o.measures,
        "review_comment": o.review_comment,
        "confirmed_large_move": o.confirmed_large_move,
        "entered_by": o.entered_by.username,
        "entered_at": _time(o.entered_at),
        "approved_by": o.approved_by.username if o.approved_by else None,
        "approved_at": _time(o.approved_at),
    }


REVIEW_STEPS = {"approve": services.approve, "return": services.return_for_revision, "reopen": services.reopen}


@api_view(methods=("POST",))
def observation_review(request):
    """A reviewer approves, returns or reopens one figure, named by its cell, with the version they read."""
    body = json_body(request)
    step = REVIEW_STEPS.get(body.get("step"))
    if step is None:
        raise ValidationError({"step": ["step 必须是 approve、return 或 reopen。"]})
    if body.get("version") is None:
        raise ValidationError({"version": ["请提供读取数据时的 version。"]})
    observation = (
        Observation.objects.visible_to(request.user)
        .filter(
            indicator__plan=Plan.objects.current(),
            indicator__code=str(body.get("indicator", "")),
            district__code=str(body.get("district", "")),
            year=_int_or_none(body.get("year")),
        )
        .first()
    )
    if observation is None:
        raise Http404("没有这项数据。")
    observation = step(
        observation=observation, by=request.user, comment=body.get("comment") or "", version=body["version"]
    )
    return JsonResponse(observation_json(observation), json_dumps_params={"ensure_ascii": False})


@api_view(methods=("POST",))
def year_lock(request, year):
    """A reviewer locks (`{"locked": true}`) or unlocks (`false`) a reporting year."""
    locked = json_body(request).get("locked", True)
    if not isinstance(locked, bool):
        raise ValidationError({"locked": ["locked 必须是 true 或 false。"]})
    plan = Plan.objects.current()
    if plan is None:
        raise Http404("尚未载入规划。")
    reporting_year = services.lock_year(plan=plan, year=year, by=request.user, locked=locked)
    return JsonResponse(
        {
            "year": reporting_year.year,
            "locked": reporting_year.locked,
            "locked_by": reporting_year.locked_by.username if reporting_year.locked_by else None,
            "locked_at": _time(reporting_year.locked_at),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@api_view()
def progress(request):
    """Progress of every indicator the plan sets targets for, in one district as of a year (docs/api.md)."""
    plan = Plan.objects.current()
    if plan is None:
        raise Http404("尚未载入规划。")
    district = reports.chosen_district(reports.visible_districts(request.user), request.GET.get("district"))
    year = reports.chosen_year(plan, request.GET.get("year"))
    section = request.GET.get("section")
    # One index probe per indicator, not a pass over every district's targets.
    has_targets = Exists(Target.objects.filter(indicator=OuterRef("pk")))
    with_targets = set(Indicator.objects.filter(plan=plan).filter(has_targets).values_list("pk", flat=True))
    targets = {}
    for target in Target.objects.filter(indicator__plan=plan, district=district).order_by("year"):
        targets.setdefault(target.indicator_id, []).append(target)
    rows = reports.PlanProgress(plan, as_of=year, districts=[district]).rows(district, all_indicators=True)
    return JsonResponse(
        {
            "district": {"code": district.code, "name": district.name, "short_name": district.short_name},
            "year": year,
            "section": section or None,
            "indicators": [
                _progress_json(row, targets.get(row.indicator.pk, []))
                for row in rows
                if row.indicator.pk in with_targets and (not section or row.indicator.section == section)
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _progress_json(row, targets):
    indicator, a = row.indicator, row.assessment
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "section": indicator.section,
        "baseline": _point(a.baseline),
        "latest": _point(a.latest),
        "targets": [
            {"year": t.year, "value": number(t.value), "upper": number(t.upper), "operator": t.operator}
            for t in targets
        ],
        "final_target": (
            {"year": a.final.year, "value": _amount(a.final.value), "operator": a.final.operator} if a.final else None
        ),
        "expected": _amount(a.expected),
        "ratio": _amount(a.ratio),
        "status": a.status,
        "status_label": str(STATUS_LABELS[a.status]),
        "explanation": a.explanation,
        "projected": (
            {"year": a.projection.year, "value": _amount(a.projection.value), "met": a.projection.met}
            if a.projection
            else None
        ),
    }


def _point(pair):
    return {"year": pair[0], "value": _amount(pair[1])} if pair else None


def _amount(value):
    """A computed float as the contract's JSON number, rounded to 6 places to drop floating-point noise."""
    if value is None:
        return None
    value = round(value, 6)
    return int(value) if value.is_integer() else value
