"""JSON endpoints for tasks and districts; docs/api.md is the contract."""

from django.db.models import Prefetch
from django.http import Http404

from figures import access
from figures.api_base import api_view, json_response
from figures.assessments import assess
from figures.serializers import district_json, standing_json, tracked_task_json
from plans.models import District, Indicator, Target, Task
from plans.shortcuts import requested_plan, reverse_in
from tasks.models import TaskReport
from tasks.views import chosen_year


@api_view()
def task_list(request):
    plan = requested_plan(request)
    year = chosen_year(request, plan)
    province = District.objects.province()
    tasks = (
        Task.objects.filter(plan=plan)
        .select_related("plan")
        .prefetch_related(
            "items",
            "indicators",
            "text_targets",
            Prefetch("reports", queryset=TaskReport.objects.select_related("entered_by").order_by("year")),
        )
    )
    linked = Indicator.objects.filter(plan=plan, task__isnull=False)
    assessments = {i: a for (i, _d), a in assess(plan, as_of=year, indicators=linked, districts=[province]).items()}
    return json_response({"as_of": year, "tasks": [_task(task, assessments, request) for task in tasks]})


def _task(task, assessments, request):
    def evidence_url(report):
        return request.build_absolute_uri(reverse_in(task.plan, "tasks:evidence", [task.number, report.year]))

    return tracked_task_json(task, assessments, evidence_url)


@api_view()
def district_detail(request, code):
    plan = requested_plan(request)
    district = access.visible_districts(request.user).filter(code=code).first()
    if district is None:
        raise Http404("没有这个地区。")
    year = chosen_year(request, plan)
    assessments = assess(plan, as_of=year, districts=[district])
    indicators = Indicator.objects.filter(pk__in=[i for i, _d in assessments]).prefetch_related(
        Prefetch("targets", queryset=Target.objects.filter(district=district).order_by("year"), to_attr="here")
    )
    return json_response(
        {
            "district": district_json(district),
            "as_of": year,
            "indicators": [standing_json(i, assessments[(i.pk, district.pk)]) for i in indicators],
        }
    )
