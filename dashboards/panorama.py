"""规划期全景: every indicator of a district across the plan's years, each figure with that year's status.

Statuses are read from the precomputed `Standing` rows, not judged again, so the page costs four queries
(indicators, figures, statuses, targets) however many years and indicators there are.
"""

from dataclasses import dataclass

from django.db.models import Q

from figures.models import Observation, Standing
from plans.chains import showing
from plans.models import Indicator, Target


@dataclass(frozen=True)
class Cell:
    year: int
    value: object  # Decimal or None
    status: str | None  # None in the base year, which has no verdict
    target: Target | None


@dataclass(frozen=True)
class Line:
    indicator: Indicator
    cells: list

    @property
    def decimals(self):
        return self.indicator.shown_decimals


def search(plan, district, query=""):
    """The district's indicators (all of them for 全省) whose name, English name or code contains `query`."""
    indicators = Indicator.objects.filter(plan=plan).reported_by(district)
    if query:
        matches = Q(name__icontains=query) | Q(name_en__icontains=query) | Q(code__icontains=query)
        indicators = indicators.filter(matches)
    return list(indicators.order_by("order", "code"))


def lines(plan, district, indicators):
    """A `Line` per indicator, with a `Cell` per year from the base year to the target year."""
    years = list(range(plan.base_year, plan.target_year + 1))
    ids = [i.pk for i in indicators]
    # A continuing indicator's figures are stored on the first indicator of its chain (README).
    shown_as = showing(indicators)
    values = {}
    approved = Observation.objects.approved().filter(indicator__in=list(shown_as), district=district, year__in=years)
    for storage, year, value in approved.order_by().values_list("indicator_id", "year", "value"):
        values[(shown_as[storage], year)] = value
    statuses = {
        (indicator_id, as_of): status
        for indicator_id, as_of, status in Standing.objects.filter(plan=plan, district=district, indicator__in=ids)
        .order_by()
        .values_list("indicator_id", "as_of", "status")
    }
    rows = Target.objects.filter(indicator__in=ids, district=district).order_by()
    targets = {(t.indicator_id, t.year): t for t in rows}
    return years, [
        Line(
            indicator,
            [
                Cell(
                    year,
                    values.get((indicator.pk, year)),
                    statuses.get((indicator.pk, year)) if year > plan.base_year else None,
                    targets.get((indicator.pk, year)),
                )
                for year in years
            ],
        )
        for indicator in indicators
    ]
