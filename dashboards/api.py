"""The read API: the plan as data and its progress (docs/api.md)."""

from django.db.models import Exists, OuterRef, Prefetch
from django.http import JsonResponse

from dashboards import overviews
from dashboards.cache import cached, data_version
from figures.api_base import api_view, number
from figures.models import Observation
from plans.models import District, Indicator, Target, Task, statistics
from plans.progress import STATUS_LABELS
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


@api_view()
def progress(request):
    """Progress of every indicator the plan sets targets for, in one district as of a year (docs/api.md)."""
    plan = requested_plan(request)
    district = overviews.chosen_district(overviews.visible_districts(request.user), request.GET.get("district"))
    version = data_version()
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
            _progress_json(row, targets.get(row.indicator.pk, [])) for row in rows if row.indicator.pk in with_targets
        ]

    indicators = cached("progress-api", compute, version=version, plan=plan, as_of=year, districts=[district])
    return JsonResponse(
        {
            "district": {"code": district.code, "name": district.name, "short_name": district.short_name},
            "year": year,
            "section": section or None,
            "indicators": [row for row in indicators if not section or row["section"] == section],
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
        "warning": row.warning,
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
