"""The figure API: list and record figures, review them, lock years (docs/api.md)."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404

from figures import access, pipeline, review
from figures.api_base import api_view, json_body, json_response
from figures.models import Observation
from figures.serializers import observation_json, reporting_year_json
from plans.chains import statistics
from plans.models import District, Indicator
from plans.shortcuts import requested_plan


@api_view(methods=("GET", "POST"))
def observations(request):
    """GET lists the figures the caller may see; POST creates or updates one through pipeline.write."""
    plan = requested_plan(request)
    if request.method == "POST":
        return _record_observation(request, plan)
    # A continuing indicator's figures are listed under this plan's indicator (README, "Figures two plans share").
    rows = (
        Observation.objects.visible_to(request.user)
        .shown_in(plan)
        .select_related("indicator", "district", "entered_by", "approved_by", "city_approved_by")
    )
    if request.GET.get("district"):
        district = access.visible_districts(request.user).filter(code=request.GET["district"]).first()
        if district is None:
            raise Http404("没有这个地区。")
        rows = rows.filter(district=district)
    if request.GET.get("year"):
        try:
            rows = rows.filter(year=int(request.GET["year"]))
        except ValueError:
            raise ValidationError({"year": ["年份必须是整数。"]}) from None
    if request.GET.get("indicator"):
        indicator = Indicator.objects.filter(plan=plan, code=request.GET["indicator"]).first()
        rows = rows.filter(indicator=indicator.statistic if indicator else None)
    # A total order (the district's code breaks ties in its order), so that pages neither skip nor repeat rows.
    page = paginate(request, rows.order_by("indicator", "district", "year"))
    items = page.pop("items")
    if any(o.indicator.plan_id != plan.pk for o in items):
        shown_as = {storage: indicator for indicator, storage in _continuing(plan).items()}
        for o in items:
            o.indicator = shown_as.get(o.indicator_id, o.indicator)
    return json_response({**page, "observations": [observation_json(o) for o in items]})


def _continuing(plan):
    """{indicator: id of the indicator its figures are stored on} of the plan's indicators that continue another."""
    continuing = {i.pk: i for i in Indicator.objects.filter(plan=plan, continues__isnull=False)}
    return {continuing[pk]: storage for pk, storage in statistics(continuing.values()).items()}


PAGE_SIZE = 500


def paginate(request, rows):
    """docs/api.md, "Lists": `?page=` (1-based), PAGE_SIZE items a page, with the count and the addresses of the
    next and previous pages. A page that is not a positive integer is 400; one after the last is 404."""
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        raise ValidationError({"page": [f"page 必须是从 1 开始的整数，而不是“{raw}”。"]})
    paginator = Paginator(rows, PAGE_SIZE, allow_empty_first_page=True)
    if number > paginator.num_pages:
        raise Http404(f"没有第 {number} 页（共 {paginator.num_pages} 页）。")
    page = paginator.page(number)

    def address(n):
        query = request.GET.copy()
        query["page"] = n
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": paginator.count,
        "next": address(number + 1) if page.has_next() else None,
        "previous": address(number - 1) if page.has_previous() else None,
        "items": list(page.object_list),
    }


def _record_observation(request, plan):
    body = json_body(request)
    errors = {}
    for name in ("indicator", "district"):
        if not isinstance(body.get(name), str):
            errors[name] = [f"{name} 必须是代码（字符串）。"]
    if errors:
        raise ValidationError(errors)
    indicator = Indicator.objects.select_related("plan").filter(plan=plan, code=body["indicator"]).first()
    district = District.objects.filter(code=body["district"]).first()
    if district is not None and not access.visible_districts(request.user).filter(pk=district.pk).exists():
        raise Http404("没有这个地区。")
    if indicator is None:
        errors["indicator"] = [f"没有指标“{body['indicator']}”。"]
    if district is None:
        errors["district"] = [f"没有地区“{body['district']}”。"]
    if errors:
        raise ValidationError(errors)
    if not isinstance(body.get("confirm", False), bool):
        raise ValidationError({"confirm": ["confirm 必须是 true 或 false。"]})
    row = pipeline.Row(
        indicator=indicator,
        district=district,
        year=body.get("year"),
        value=body.get("value"),
        note=body.get("note"),
        source=body.get("source"),
        reason=body.get("reason"),
        measures=body.get("measures"),
        action=body.get("action", pipeline.Action.SAVE),
        version=body.get("version"),
        confirm=body.get("confirm") is True,
    )
    outcome = pipeline.write(pipeline.Batch([row], require_version=True), by=request.user)
    outcome.raise_problems()
    created = outcome.checked[0].existing is None
    observation = outcome.changed[0] if outcome.changed else outcome.checked[0].existing
    # The 仅提示 rules the figure breaks: it is stored all the same (docs/api.md).
    warnings = [breach.as_json() for breach in outcome.checked[0].warnings]
    return json_response({**observation_json(observation), "warnings": warnings}, status=201 if created else 200)


def _int_or_none(year):
    try:
        return int(str(year).strip())
    except ValueError:
        return None


@api_view(methods=("POST",))
def observation_review(request):
    """A reviewer approves, returns or reopens one figure, named by its cell, with the version they read."""
    body = json_body(request)
    step = body.get("step")
    if not isinstance(step, str) or step not in review.REVIEW_STEPS:
        raise ValidationError({"step": ["step 必须是 approve、return 或 reopen。"]})
    version = pipeline.clean_version(body.get("version"), required=True)
    code = body.get("district") if isinstance(body.get("district"), str) else ""
    if not access.visible_districts(request.user).filter(code=code).exists():
        raise Http404("没有这个地区。")
    review.reviewer_level(request.user)
    plan = requested_plan(request)
    # The code is the plan's own; a figure two plans share is stored on the first indicator of its chain.
    named = Indicator.objects.filter(
        plan=plan, code=body.get("indicator") if isinstance(body.get("indicator"), str) else ""
    )
    stored_on = list(statistics(named).values())
    observation = (
        Observation.objects.visible_to(request.user)
        .shown_in(plan)
        .filter(
            indicator__in=stored_on,
            district__code=body.get("district") if isinstance(body.get("district"), str) else "",
            year=_int_or_none(body.get("year")),
        )
        .first()
    )
    if observation is None:
        raise Http404("没有这项数据。")
    observation = review.REVIEW_STEPS[step](
        observation=observation, by=request.user, comment=body.get("comment"), version=version
    )
    return json_response(observation_json(observation))


@api_view(methods=("POST",))
def year_lock(request, year):
    """A reviewer locks (`{"locked": true}`) or unlocks (`false`) a reporting year."""
    locked = json_body(request).get("locked", True)
    if not isinstance(locked, bool):
        raise ValidationError({"locked": ["locked 必须是 true 或 false。"]})
    plan = requested_plan(request)
    reporting_year = review.lock_year(plan=plan, year=year, by=request.user, locked=locked)
    return json_response(reporting_year_json(reporting_year))
