"""Verdicts of a plan's (indicator, district) pairs from their approved figures: the queries around progress.py."""

from figures.models import Observation
from plans import progress
from plans.chains import statistics
from plans.models import Indicator, Target, milestones_of


def assess(plan, *, as_of, indicators=None, districts=None, candidates=None):
    """Progress of each (indicator, district) pair that has targets or approved figures, as of a year.

    Returns {(indicator_id, district_id): progress.Assessment}. Three queries, whatever the data size;
    pass `indicators` or `districts` (querysets or lists) to narrow it. `candidates`
    ({(indicator_id, district_id): {year: value}}) judges figures not yet approved as if they were.
    """
    by_id, milestones, values = _inputs(plan, indicators, districts, up_to=as_of)
    for key, figures_by_year in (candidates or {}).items():
        values.setdefault(key, {}).update(figures_by_year)
    return {
        key: assess_pair(plan, by_id[key[0]], milestones.get(key, []), values.get(key, {}), as_of)
        for key in milestones.keys() | values.keys()
        if key[0] in by_id
    }


def statuses_by_year(plan, *, indicators=None, districts=None):
    """Yield (indicator_id, district_id, as_of, status) for every plan year; three queries.

    What `Standing` keeps, so that overviews of many districts count statuses instead of judging figures.
    """
    by_id, milestones, values = _inputs(plan, indicators, districts, up_to=plan.target_year)
    for key in milestones.keys() | values.keys():
        if key[0] in by_id:
            for as_of in range(plan.base_year + 1, plan.target_year + 1):
                assessment = assess_pair(plan, by_id[key[0]], milestones.get(key, []), values.get(key, {}), as_of)
                yield (*key, as_of, assessment.status)


def _inputs(plan, indicators, districts, *, up_to):
    indicator_rows = Indicator.objects.filter(plan=plan)
    # No ordering: the models' default one would join districts and sort rows nobody reads in order.
    targets = Target.objects.filter(indicator__plan=plan).order_by()
    # Earlier years belong to an earlier plan whose indicator this one continues: progress.py reads none of them.
    figures = Observation.objects.approved().filter(year__gte=plan.base_year, year__lte=up_to).order_by()
    if indicators is not None:
        indicator_rows = indicator_rows.filter(pk__in=[getattr(i, "pk", i) for i in indicators])
        targets = targets.filter(indicator__in=indicator_rows)
    by_id = {i.pk: i for i in indicator_rows}
    # Figures are read where they are stored: a continuing indicator's on the first indicator of its chain.
    stored_on = statistics(by_id.values())
    shown_as = {storage: pk for pk, storage in stored_on.items()}
    if indicators is None and all(storage == pk for pk, storage in stored_on.items()):
        figures = figures.filter(indicator__plan=plan)  # a join, not thousands of ids, for a whole large plan
    else:
        figures = figures.filter(indicator__in=list(shown_as))
    if districts is not None:
        ids = [getattr(d, "pk", d) for d in districts]
        targets, figures = targets.filter(district__in=ids), figures.filter(district__in=ids)
    milestones, values = milestones_of(targets), {}
    for storage, district_id, year, value in figures.values_list("indicator_id", "district_id", "year", "value"):
        values.setdefault((shown_as[storage], district_id), {})[year] = value
    return by_id, milestones, values


def assess_pair(plan, indicator, milestones, values, as_of):
    """One pair's verdict from figures and milestones already read (no query)."""
    return progress.assess(
        values=values,
        milestones=milestones,
        direction=indicator.direction,
        cumulative=indicator.cumulative,
        base_year=plan.base_year,
        as_of=as_of,
        ahead_at=float(plan.ahead_ratio),
        on_track_at=float(plan.on_track_ratio),
        decimals=indicator.decimals,
        level_gap=indicator.level_gap,
        is_rate=indicator.is_rate,
    )
