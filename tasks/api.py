"""JSON endpoints for tasks and districts; docs/api.md is the contract."""

from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone

from figures import access
from figures.api_base import api_view, number
from figures.assessments import assess
from plans import progress
from plans.models import District, Indicator, Plan, Target, Task
from tasks.models import TaskReport
from tasks.views import chosen_year


def _plan():
    plan = Plan.objects.current()
    if plan is None:
        raise Http404("尚未载入规划。")
    return plan


def _figure(pair):
    """An assessment's (year, value) pair; its floats come from decimals, so str() gives the stored digits."""
    if pair is None:
        return None
    return {"year": pair[0], "value": number(Decimal(str(round(pair[1], 4))))}


def _time(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _json(body):
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@api_view()
def task_list(request):
    plan = _plan()
    year = chosen_year(request, plan)
    province = District.objects.province()
    tasks = Task.objects.filter(plan=plan).prefetch_related(
        "items",
        "indicators",
        "text_targets",
        Prefetch("reports", queryset=TaskReport.objects.select_related("entered_by").order_by("year")),
    )
    linked = Indicator.objects.filter(plan=plan, task__isnull=False)
    assessments = {i: a for (i, _d), a in assess(plan, as_of=year, indicators=linked, districts=[province]).items()}
    return _json({"as_of": year, "tasks": [_task(task, assessments, request) for task in tasks]})


def _task(task, assessments, request):
    def indicator(i):
        a = assessments.get(i.pk)
        return {
            "code": i.code,
            "name": i.name,
            "unit": i.unit,
            "section": i.section,
            "status": a.status if a else progress.NO_DATA,
            "latest": _figure(a.latest) if a else None,
        }

    return {
        "number": task.number,
        "category": task.category,
        "title": task.title,
        "department": task.department,
        "needs_review": task.needs_review,
        "items": [{"order": item.order, "content": item.content} for item in task.items.all()],
        "indicators": [indicator(i) for i in task.indicators.all()],
        "text_targets": [
            {"code": t.code, "text": t.text, "year": t.year, "untracked_reason": t.untracked_reason}
            for t in task.text_targets.all()
        ],
        "reports": [
            {
                "year": r.year,
                "status": r.status,
                "summary": r.summary,
                "evidence_links": r.links,
                "evidence_file": request.build_absolute_uri(reverse("tasks:evidence", args=[task.number, r.year]))
                if r.evidence_file
                else None,
                "text_target_notes": r.text_target_notes,
                "entered_by": r.entered_by.username,
                "entered_at": _time(r.entered_at),
            }
            for r in task.reports.all()
        ],
    }


@api_view()
def district_detail(request, code):
    plan = _plan()
    district = access.visible_districts(request.user).filter(code=code).first()
    if district is None:
        raise Http404("没有这个地区。")
    year = chosen_year(request, plan)
    assessments = assess(plan, as_of=year, districts=[district])
    indicators = Indicator.objects.filter(pk__in=[i for i, _d in assessments]).prefetch_related(
        Prefetch("targets", queryset=Target.objects.filter(district=district).order_by("year"), to_attr="here")
    )
    return _json(
        {
            "district": {"code": district.code, "name": district.name, "short_name": district.short_name},
            "as_of": year,
            "indicators": [_standing(i, assessments[(i.pk, district.pk)]) for i in indicators],
        }
    )


def _standing(indicator, assessment):
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "section": indicator.section,
        "cumulative": indicator.cumulative,
        "baseline": _figure(assessment.baseline),
        "targets": [
            {"year": t.year, "value": number(t.value), "upper": number(t.upper), "operator": t.operator}
            for t in indicator.here
        ],
        "latest": _figure(assessment.latest),
        "status": assessment.status,
        "explanation": assessment.explanation,
    }
