"""What has been submitted: the entry overview, the completeness list (催报) and a figure's history.

Read-only assembly of rows for pages, in a fixed number of queries whatever the data size.
"""

from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from figures import locks
from figures.models import Observation, ObservationStatus, sees_work_in_progress, shown_reason
from plans.chains import showing
from plans.models import District, Indicator, Target

# A figure counts as reported once it reaches the reviewers.
REPORTED = (ObservationStatus.SUBMITTED, ObservationStatus.CITY_APPROVED, ObservationStatus.APPROVED)


def reported_indicator_ids(plan, districts):
    """{district_id: [indicator ids it reports]}, in the plan's order."""
    every = list(Indicator.objects.filter(plan=plan).values_list("pk", flat=True))
    targeted = set(
        Target.objects.filter(indicator__plan=plan, district__in=districts).values_list("indicator_id", "district_id")
    )
    return {d.pk: [pk for pk in every if d.reports(pk, targeted)] for d in districts}


@dataclass
class YearCell:
    year: int
    expected: int
    locked: bool
    counts: Counter = field(default_factory=Counter)

    @property
    def missing(self):
        return self.expected - sum(self.counts.values())


def entry_overview(plan, districts, years):
    """For each district and year: how many figures it owes and how many are in each status."""
    districts = list(districts)
    owed = reported_indicator_ids(plan, districts)
    # A year is locked here as on the entry page: when no figure the districts owe can change any more.
    locked = locks.locked_plan_years(plan, sorted({pk for owes in owed.values() for pk in owes}))
    counts = Counter()
    for district_id, year, status in (
        Observation.objects.shown_in(plan)
        .filter(district__in=districts, year__in=list(years))
        .values_list("district_id", "year", "status")
    ):
        counts[district_id, year, status] += 1
    return [
        (
            district,
            [
                YearCell(
                    year,
                    len(owed[district.pk]),
                    year in locked,
                    Counter({s: counts[district.pk, year, s] for s in ObservationStatus.values}),
                )
                for year in years
            ],
        )
        for district in districts
    ]


def missing_figures(plan, districts, year):
    """For one year, each district with the indicators it has not yet submitted (and their status if any)."""
    districts = list(districts)
    owed = reported_indicator_ids(plan, districts)
    indicators = {i.pk: i for i in Indicator.objects.filter(plan=plan)}
    # A continuing indicator's figures are stored on the first indicator of its chain (README).
    shown_as = showing(indicators.values())
    status = dict(
        ((shown_as[o[0]], o[1]), o[2])
        for o in Observation.objects.filter(indicator__in=list(shown_as), district__in=districts, year=year)
        .order_by()
        .values_list("indicator_id", "district_id", "status")
    )
    rows = []
    for district in districts:
        missing = [
            (indicators[i], status.get((i, district.pk), ""))
            for i in owed[district.pk]
            if status.get((i, district.pk)) not in REPORTED
        ]
        rows.append((district, len(owed[district.pk]), missing))
    return rows


def unfinished_figures(plan, year):
    """The plan's figures of `year` not yet approved (a lock would freeze them as they are), by district."""
    return list(
        Observation.objects.shown_in(plan)
        .filter(year=year)
        .exclude(status=ObservationStatus.APPROVED)
        .select_related("indicator", "district")
        .order_by("district__order", "indicator__order")
    )


def history_of(observation, user):
    """The figure's history rows the user may see, newest first, each with the value and status it replaced.

    Leaders see only approved versions, each compared with the approved version before it."""
    records = observation.history.select_related("history_user").order_by("-history_date", "-history_id")
    if not sees_work_in_progress(user):
        records = records.filter(status=ObservationStatus.APPROVED)
    records = list(records)
    for newer, older in pairwise([*records, None]):
        newer.old_value = older.value if older else None
        newer.old_status = older.get_status_display() if older else ""
        newer.reason_shown = shown_reason(newer.history_change_reason)
    return records


def missing_counts(plan, year, districts=None):
    """{district id: how many of its cells of `year` are not yet submitted} (missing, draft or returned), for
    every district or those given. Three queries whatever the number of districts."""
    districts = list(District.objects.all() if districts is None else districts)
    owed = reported_indicator_ids(plan, districts)
    shown_as = showing(Indicator.objects.filter(plan=plan))
    done = Counter(
        district_id
        for indicator_id, district_id in Observation.objects.filter(
            indicator__in=list(shown_as), district__in=districts, year=year, status__in=REPORTED
        )
        .order_by()
        .values_list("indicator_id", "district_id")
        if shown_as.get(indicator_id) is not None
    )
    return {d.pk: len(owed[d.pk]) - done[d.pk] for d in districts}
