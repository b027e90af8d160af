from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from indicators.models import Indicator, Observation, Plan, Target


def _current_plan():
    plan = Plan.objects.current()
    if plan is None:
        raise Http404("尚未载入规划。")
    return plan


def plan_overview(request):
    plan = _current_plan()
    indicators = Indicator.objects.filter(plan=plan).prefetch_related(
        Prefetch("targets", queryset=Target.objects.filter(district__kind="province"), to_attr="province_targets"),
        Prefetch(
            "observations",
            queryset=Observation.objects.approved().filter(year=plan.base_year, district__kind="province"),
            to_attr="province_baselines",
        ),
    )
    return render(request, "indicators/plan_overview.html", {"plan": plan, "indicators": indicators})


def indicator_detail(request, code):
    plan = _current_plan()
    indicator = get_object_or_404(Indicator.objects.select_related("task"), plan=plan, code=code)
    targets = indicator.targets.select_related("district")
    observations = Observation.objects.visible_to(request.user).filter(indicator=indicator).select_related("district")
    return render(
        request,
        "indicators/indicator_detail.html",
        {"plan": plan, "indicator": indicator, "targets": targets, "observations": observations},
    )
