"""The rule that the cities' figures of a district-table metric (`Indicator.sum_check`) add up to the province's,
within the metric's tolerance: for the plan's targets and for the entered figures of every year. The 附件2 page
(`dashboards/district_table.py`) and the 数据质量 page (`figures/quality.py`) both read it here.
"""

from dataclasses import dataclass
from decimal import Decimal

from figures.models import Observation
from plans.chains import showing
from plans.models import District, Indicator, Target


@dataclass(frozen=True)
class SumMismatch:
    """The cities' total of one metric in one year differs from the province's by more than the tolerance."""

    indicator: Indicator
    year: int
    kind: str  # "target" (the plan's milestones) or "figure" (entered figures)
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


def sum_mismatches(*, plan, indicators=None, approved_only=False, year=None):
    """Compare the cities' sums with the province for the plan's targets and for entered figures of every year
    (of `year` only, if given).

    Targets are compared as printed (a district without a target that year adds nothing); figures only once
    the province and every district with targets for the metric have entered one, so a half-filled year is
    not reported as a disagreement. Figures of any status, or with `approved_only` the approved ones (for
    readers who see no others). Four queries, whatever the number of figures.
    """
    indicators = metrics(plan) if indicators is None else indicators
    by_id = {i.pk: i for i in indicators}
    province_ids = set(District.objects.provinces().values_list("pk", flat=True))
    targets = Target.objects.filter(indicator__in=by_id).values_list("indicator_id", "district_id", "year", "value")
    # A continuing indicator's figures are stored on the first indicator of its chain (README), from its base year.
    shown_as = showing(indicators)
    stored = Observation.objects.approved() if approved_only else Observation.objects.all()
    if year is not None:
        stored = stored.filter(year=year)
    figures = [
        (shown_as[stored_on], district_id, year, value)
        for stored_on, district_id, year, value in stored.filter(
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
