"""The read API: the plan as data and its progress (docs/api.md)."""

from django.db.models import Exists, OuterRef, Prefetch

from dashboards import overviews
from dashboards.cache import cached, data_version
from figures.api_base import api_view, json_response
from figures.models import Observation
from figures.serializers import district_json, indicator_json, plan_json, progress_json, task_json
from plans.chains import statistics
from plans.models import District, Indicator, Target, Task
from plans.shortcuts import requested_plan
from plans.years import parse_year


def _with_shared_baselines(plan, indicators):
    """A continuing indicator's baselines are the earlier plan's figures of the base year, stored on the first
    indicator of its chain (README, "Figures two plans share"): one more query, for a plan that has any."""
    continuing = [i for i in indicators if i.continues_id]
    if continuing:
        stored_on = statistics(continuing)
        shared = {}
        rows = Observation.objects.approved().filter(indicator__in=set(stored_on.values()), year=plan.base_year)
        for o in rows.select_related("district").order_by("district__order", "district__code"):
            shared.setdefault(o.indicator_id, []).append(o)
        for indicator in continuing:
            indicator.baselines = shared.get(stored_on[indicator.pk], [])
    return indicators


@api_view()
def plan_detail(request):
    plan = requested_plan(request)
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
    indicators = _with_shared_baselines(plan, list(indicators))
    return json_response(
        {
            "plan": plan_json(plan),
            "districts": [district_json(d, kind=True) for d in District.objects.all()],
            "indicators": [indicator_json(i) for i in indicators],
            "tasks": [task_json(t) for t in tasks],
        }
    )


@api_view()
def progress(request):
    """Progress of every indicator the plan sets targets for, in one district as of a year (docs/api.md)."""
    plan = requested_plan(request)
    district = overviews.chosen_district(overviews.visible_districts(request), request.GET.get("district"))
    version = data_version(request)
    counted = overviews.counted_pairs(plan, version)
    year = parse_year(request.GET.get("year"), overviews.years(plan), default=None) or overviews.default_year(
        plan, counted
    )
    section = request.GET.get("section")

    def compute():
        # One index probe per indicator, not a pass over every district's targets.
        has_targets = Exists(Target.objects.filter(indicator=OuterRef("pk")))
        with_targets = set(Indicator.objects.filter(plan=plan).filter(has_targets).values_list("pk", flat=True))
        targets = {}
        for target in Target.objects.filter(indicator__plan=plan, district=district).order_by("year"):
            targets.setdefault(target.indicator_id, []).append(target)
        rows = overviews.PlanProgress(plan, as_of=year, districts=[district]).rows(district, all_indicators=True)
        return [
            progress_json(row, targets.get(row.indicator.pk, [])) for row in rows if row.indicator.pk in with_targets
        ]

    indicators = cached("progress-api", compute, version=version, plan=plan, as_of=year, districts=[district])
    return json_response(
        {
            "district": district_json(district),
            "year": year,
            "section": section or None,
            "indicators": [row for row in indicators if not section or row["section"] == section],
        }
    )
