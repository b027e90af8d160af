"""Statuses kept per indicator, district and as-of year (`Standing`), for overviews of many districts.

A status depends only on the approved figures and the targets of its indicator and district, so the write
pipeline refreshes the pairs it changes (`refresh_pairs`, an upsert); `load_plan`, `load_demo` and
`generate_scale` refresh whole plans. Every refresh bumps the data version the read pages' caches are keyed on,
in the writer's transaction.
"""

from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import Count, Q

from figures.assessments import statuses_by_year
from figures.models import DataVersion, Standing
from plans.chains import sharing

BATCH = 5000


def refresh(plan, *, indicators=None, districts=None):
    """Recompute the standings of a plan, or of some of its indicators and districts (every pair between them)."""
    _upsert(plan, statuses_by_year(plan, indicators=indicators, districts=districts), indicators, districts)


def refresh_pairs(plan, pairs):
    """Recompute the standings of some (indicator id, district id) pairs only."""
    pairs = set(pairs)
    indicators = {i for i, _d in pairs}
    districts = {d for _i, d in pairs}
    rows = (row for row in statuses_by_year(plan, indicators=indicators, districts=districts) if row[:2] in pairs)
    _upsert(plan, rows, indicators, districts, pairs=pairs)


def pairs_showing(pairs):
    """{plan id: {(indicator id, district id)}} of every indicator that shows the figures of these (indicator id,
    district id) pairs: a figure two plans share moves the standings of both plans' indicators. One query."""
    chains = sharing({i for i, _d in pairs})
    by_plan = defaultdict(set)
    for i, d in pairs:
        for pk, plan_id in chains[i].items():
            by_plan[plan_id].add((pk, d))
    return by_plan


def _upsert(plan, rows, indicators, districts, pairs=None):
    """Insert or update each status in place (no delete-then-insert), then drop the rows of pairs that no longer
    have targets or approved figures."""
    kept = set()
    with transaction.atomic():
        DataVersion.bump()
        batch = []
        for i, d, as_of, status in rows:
            kept.add((i, d))
            batch.append(Standing(plan=plan, indicator_id=i, district_id=d, as_of=as_of, status=status))
            if len(batch) == BATCH:
                _write(batch)
                batch = []
        _write(batch)
        stale = Standing.objects.filter(plan=plan)
        if indicators is not None:
            stale = stale.filter(indicator__in=indicators)
        if districts is not None:
            stale = stale.filter(district__in=districts)
        gone = Q(pk__in=[])
        for i, d in (pairs or set()) - kept:
            gone |= Q(indicator_id=i, district_id=d)
        if pairs is not None:
            stale.filter(gone).delete()
        else:
            stale_pairs = set(stale.values_list("indicator_id", "district_id").distinct()) - kept
            for i, d in stale_pairs:
                gone |= Q(indicator_id=i, district_id=d)
            if stale_pairs:
                stale.filter(gone).delete()


def _write(batch):
    if batch:
        Standing.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["indicator", "district", "as_of"],
            update_fields=["status", "plan"],
        )


def refresh_observation(observation):
    refresh_pairs(observation.indicator.plan, {(observation.indicator_id, observation.district_id)})


def counts_by_district(plan, *, as_of, districts):
    """{district_id: Counter(status)} over the indicators each district has targets for; one query."""
    counts = {district.pk: Counter() for district in districts}
    rows = (
        Standing.objects.filter(plan=plan, as_of=as_of)
        .exclude(status="no_target")
        .values_list("district_id", "status")
        .annotate(n=Count("*"))
    )
    # Counting every district and keeping the visible ones beats sending a thousand ids to the database.
    for district_id, status, n in rows:
        if district_id in counts:
            counts[district_id][status] = n
    return counts
