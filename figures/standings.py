"""Statuses kept per indicator, district and as-of year (`Standing`), for overviews of many districts.

A status depends only on the approved figures and the targets of its indicator and district, so the services
refresh the pairs they change; `load_plan`, `load_demo` and `generate_scale` refresh whole plans. Every refresh
bumps the data version the read pages' caches are keyed on, in the writer's transaction.
"""

from collections import Counter

from django.db import transaction
from django.db.models import Count

from figures.assessments import statuses_by_year
from figures.models import DataVersion, Standing

BATCH = 5000


def refresh(plan, *, indicators=None, districts=None):
    """Recompute the standings of a plan, or of some of its indicators and districts."""
    rows = (
        Standing(plan=plan, indicator_id=i, district_id=d, as_of=as_of, status=status)
        for i, d, as_of, status in statuses_by_year(plan, indicators=indicators, districts=districts)
    )
    stale = Standing.objects.filter(plan=plan)
    if indicators is not None:
        stale = stale.filter(indicator__in=indicators)
    if districts is not None:
        stale = stale.filter(district__in=districts)
    with transaction.atomic():
        DataVersion.bump()
        stale.delete()
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                Standing.objects.bulk_create(batch)
                batch = []
        Standing.objects.bulk_create(batch)


def refresh_observation(observation):
    refresh(observation.indicator.plan, indicators=[observation.indicator_id], districts=[observation.district_id])


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
