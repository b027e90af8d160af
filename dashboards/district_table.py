"""The 附件2 district table: the plan's per-district targets beside the latest approved figures. The rule that
the cities' figures add up to the province's is `figures.sum_checks` (the 数据质量 page reads it too).

Statuses come from `Plan.assess`; this module only lays the verdicts out by district.
"""

from dataclasses import dataclass
from decimal import Decimal

from dashboards import charts
from figures.assessments import assess
from figures.models import Observation
from figures.sum_checks import metrics
from plans import progress
from plans.chains import showing
from plans.models import District, Indicator, Target


@dataclass
class Cell:
    """One metric in one district: the plan's baseline and targets, and how the district stands."""

    indicator: Indicator
    baseline: Decimal | None
    targets: list  # Target or None, one per target year of the table
    assessment: progress.Assessment | None  # None for a district the user may not see

    @property
    def status(self):
        return self.assessment.status if self.assessment else None

    @property
    def baseline_shown(self):
        """The baseline as the table prints it: a running total (累计值) without one counts from 0."""
        if self.baseline is None and self.indicator.cumulative:
            return Decimal(0)
        return self.baseline


def district_table(*, plan, as_of, visible):
    """Rows of (district, [Cell per metric]) for every district, and the target years the plan prints.

    Targets and the plan's base-year figures are plan data shown to everyone; the latest figures and statuses
    only for the `visible` districts. Five queries plus `Plan.assess`'s three.
    """
    indicators = metrics(plan)
    districts = list(District.objects.all())
    visible_ids = {d.pk for d in visible}
    targets, baselines = {}, {}
    for target in Target.objects.filter(indicator__in=indicators):
        targets.setdefault((target.indicator_id, target.district_id), {})[target.year] = target
    shown_as = showing(indicators)
    for stored_on, district_id, value in (
        Observation.objects.approved()
        .filter(indicator__in=list(shown_as), year=plan.base_year)
        .values_list("indicator_id", "district_id", "value")
    ):
        baselines[(shown_as[stored_on], district_id)] = value
    assessments = assess(plan, as_of=as_of, indicators=indicators, districts=visible_ids)
    years = sorted({year for cells in targets.values() for year in cells})
    rows = [
        (
            district,
            [
                Cell(
                    indicator=i,
                    baseline=baselines.get((i.pk, district.pk)),
                    targets=[targets.get((i.pk, district.pk), {}).get(year) for year in years],
                    assessment=assessments.get((i.pk, district.pk)) if district.pk in visible_ids else None,
                )
                for i in indicators
            ],
        )
        for district in districts
        if any((i.pk, district.pk) in targets for i in indicators)
    ]
    return indicators, years, rows


def comparison_charts(indicators, rows):
    """One chart per metric comparing the districts (not the province, whose total dwarfs them) one can see."""
    return [
        (
            f"district-chart-{indicator.code}",
            indicator,
            charts.district_comparison(
                indicator=indicator,
                rows=[
                    (district.display_short_name, cells[column].assessment)
                    for district, cells in rows
                    if not district.is_province and cells[column].assessment is not None
                ],
            ),
        )
        for column, indicator in enumerate(indicators)
    ]
