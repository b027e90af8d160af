"""The 附件2 district table: the plan's per-district targets beside the latest approved figures, and the rule
that the cities' figures add up to the province's.

Statuses come from `Plan.assess`; this module only lays the verdicts out by district and compares sums.
"""

from dataclasses import dataclass
from decimal import Decimal

from dashboards import charts
from figures.assessments import assess
from figures.models import Observation
from plans import progress
from plans.chains import showing
from plans.models import District, Indicator, Target


@dataclass(frozen=True)
class SumMismatch:
    """The cities' total of one metric in one year differs from the province's by more than the tolerance."""

    indicator: Indicator
    year: int
    kind: str  # "target" (the plan's milestones) or "figure" (entered figures, whatever their status)
    province: Decimal
    total: Decimal
    tolerance: Decimal

    @property
    def difference(self):
        return self.total - self.province


def metrics(plan):
    """The district-table metrics of a plan (`Indicator.sum_check`), in the order the plan prints them.

    Each has its own tolerance (`Indicator.sum_tolerance`): county counts must add up exactly, while sizes
    printed to two decimals per city may miss the province figure by rounding.
    """
    return list(Indicator.objects.filter(plan=plan, sum_check=True).order_by("district_order", "order", "code"))


def sum_mismatches(*, plan, indicators=None):
    """Compare the cities' sums with the province for the plan's targets and for entered figures of every year.

    Targets are compared as printed (a district without a target that year adds nothing); figures only once
    the province and every district with targets for the metric have entered one, so a half-filled year is
    not reported as a disagreement. Four queries, whatever the number of figures.
    """
    indicators = metrics(plan) if indicators is None else indicators
    by_id = {i.pk: i for i in indicators}
    province_ids = set(District.objects.provinces().values_list("pk", flat=True))
    targets = Target.objects.filter(indicator__in=by_id).values_list("indicator_id", "district_id", "year", "value")
    # A continuing indicator's figures are stored on the first indicator of its chain (README), from its base year.
    shown_as = showing(indicators)
    figures = [
        (shown_as[stored_on], district_id, year, value)
        for stored_on, district_id, year, value in Observation.objects.filter(
            indicator__in=list(shown_as), year__gte=plan.base_year
        ).values_list("indicator_id", "district_id", "year", "value")
    ]
    targets = list(targets)
    components = {}
    for indicator_id, district_id, _year, _value in targets:
        if district_id not in province_ids:
            components.setdefault(indicator_id, set()).add(district_id)
    found = _compare("target", targets, by_id, province_ids, components=None)
    found += _compare("figure", figures, by_id, province_ids, components=components)
    position = {pk: index for index, pk in enumerate(by_id)}
    return sorted(found, key=lambda m: (m.kind != "target", m.year, position[m.indicator.pk]))


def _compare(kind, rows, by_id, province_ids, *, components):
    province, totals, seen = {}, {}, {}
    for indicator_id, district_id, year, value in rows:
        key = (indicator_id, year)
        if district_id in province_ids:
            province[key] = value
        else:
            totals[key] = totals.get(key, Decimal(0)) + value
            seen.setdefault(key, set()).add(district_id)
    found = []
    for key, expected in province.items():
        if components is not None and not components.get(key[0], set()) <= seen.get(key, set()):
            continue
        total = totals.get(key, Decimal(0))
        tolerance = by_id[key[0]].sum_tolerance
        if abs(total - expected) > tolerance:
            found.append(SumMismatch(by_id[key[0]], key[1], kind, expected, total, tolerance))
    return found


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
