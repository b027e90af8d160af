"""Outliers (异常值): a figure whose year-on-year change stands far from the same indicator's changes that year in
the other districts, or from the district's own earlier changes. The review list, the entry grid, the 数据质量
page, its Excel and its API show each with why, in numbers; nothing is refused for it (the write pipeline's large
move rule, `figures/pipeline_checks.py`, is the one that asks for a confirmation).

The change is the one the large-move rule judges (`Indicator.change`): points for a rate (unit %), the relative
change for everything else (a running total too), from the same district's figure of the year before. A figure
without one (or after a 0) has no change and is not judged.

Far is the modified z-score of Iglewicz and Hoaglin (1993): M = 0.6745 · (x − median) / MAD, the median and the
median absolute deviation (MAD) taken over a sample of changes; |M| > 3.5 flags the figure.
- Among districts: the sample is every district's change of that indicator and year, the figure's own included
  (the province, which sums the cities, is neither in it nor judged by it). Fewer than MIN_DISTRICTS changes say
  too little about what is usual: nothing is flagged.
- Over time: the sample is the district's own changes of the earlier years; judged from MIN_YEARS of them.
- The scale is never below a tenth of the plan's large move (0.5 points, 2 %): when the others all moved alike
  (MAD = 0), every difference would otherwise be infinitely far. Among districts all at +3 %, +13 % is not
  flagged and +14 % is.

The sample's figures are the reported ones (submitted, city-approved or approved), or the approved ones only for a
reader who sees no others (leaders); the figure judged may be a draft (the grid shows the flag before submitting).
Three queries whatever the number of figures (one more for a plan continuing another's indicators): the
indicators, the province, and every district's figures of them up to the latest year asked about.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from django.db.models import FloatField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from figures.models import Observation, ObservationStatus
from figures.submissions import REPORTED
from plans.chains import showing
from plans.models import District, Indicator

THRESHOLD = 3.5  # Iglewicz and Hoaglin's cut-off for |M|
CONSISTENCY = 0.6745  # makes the MAD of normally distributed changes comparable with their standard deviation
MIN_DISTRICTS = 5
MIN_YEARS = 3
SCALE_FLOOR_SHARE = 10  # the scale is at least the plan's large move divided by this

DISTRICTS, YEARS = "districts", "years"  # what a figure is far from (the API's `basis`)


@dataclass(frozen=True)
class Outlier:
    """Why one figure stands out: its change, the sample's median change, and its modified z-score."""

    basis: str  # DISTRICTS or YEARS
    change: float  # points for a rate, otherwise a share (0.48 is +48 %)
    median: float
    score: float
    rate: bool

    @property
    def message(self):
        words = {"change": words_for(self.change, self.rate), "median": words_for(self.median, self.rate)}
        words["score"] = f"{self.score:.1f}"
        if self.basis == DISTRICTS:
            return _("同比 %(change)s，各地区中位数 %(median)s，修正 z 分数 %(score)s") % words
        return _("同比 %(change)s，本地区此前各年中位数 %(median)s，修正 z 分数 %(score)s") % words


def words_for(change, rate):
    """+6.2 个百分点 for a rate, +48% otherwise; one decimal, none when it is .0."""
    shown = round(change if rate else change * 100, 1)
    number = f"{shown:+.1f}".removesuffix(".0") if shown else "0"
    return _("%(points)s 个百分点") % {"points": number} if rate else f"{number}%"


def find(plan, cells, *, approved_only=False):
    """{(indicator id, district id, year): [Outlier, …]} for those of `cells` that stand out; each cell is
    (the plan's indicator id, district id, year, value) of a figure shown, whatever its status."""
    cells = list(cells)
    if not cells:
        return {}
    sample = Sample.load(plan, {c[0] for c in cells}, max(c[2] for c in cells), approved_only=approved_only)
    found = {}
    for indicator_id, district_id, year, value in cells:
        reasons = sample.judge(indicator_id, district_id, year, value)
        if reasons:
            found[(indicator_id, district_id, year)] = reasons
    return found


@dataclass(frozen=True)
class Flagged:
    """A figure that stands out, as the 数据质量 page lists it."""

    indicator: Indicator
    district_id: int
    year: int
    value: object  # Decimal
    previous: object  # the figure of the year before, from which the change is taken
    outliers: list


def in_year(plan, year, *, approved_only=False):
    """Every figure of `year` in the sample that stands out (the 数据质量 page), in the plan's indicator order."""
    sample = Sample.load(plan, None, year, approved_only=approved_only)
    found = []
    for (indicator_id, district_id), years in sample.figures.items():
        if year in years:
            reasons = sample.judge(indicator_id, district_id, year, years[year])
            if reasons:
                indicator = sample.indicators[indicator_id]
                value, previous = _decimal(years[year]), _decimal(years[year - 1])
                found.append(Flagged(indicator, district_id, year, value, previous, reasons))
    return sorted(found, key=lambda f: (f.indicator.order, f.indicator.code, f.district_id))


class Sample:
    """Every district's figures of some indicators up to a year, and the changes drawn from them."""

    @classmethod
    def load(cls, plan, indicator_ids, last_year, *, approved_only):
        """`indicator_ids`: the plan's indicators asked about, or None for all of them."""
        self = cls()
        self.plan = plan
        indicators = Indicator.objects.filter(plan=plan, skip_outliers=False)
        if indicator_ids is not None:
            indicators = indicators.filter(pk__in=indicator_ids)
        self.indicators = {i.pk: i for i in indicators}
        # A continuing indicator's figures are stored on the first indicator of its chain (README).
        shown_as = showing(self.indicators.values())
        statuses = [ObservationStatus.APPROVED] if approved_only else list(REPORTED)
        # Read as floats, what the changes are computed in: a hundred thousand decimals cost seconds to convert.
        rows = (
            Observation.objects.filter(indicator__in=list(shown_as), year__lte=last_year, status__in=statuses)
            .order_by()
            .values_list("indicator_id", "district_id", "year", Cast("value", FloatField()))
        )
        self.figures, self.by_indicator = defaultdict(dict), defaultdict(set)
        for stored_on, district_id, year, value in rows.iterator(chunk_size=5000):
            indicator_id = shown_as[stored_on]
            self.figures[(indicator_id, district_id)][year] = value
            self.by_indicator[indicator_id].add(district_id)
        self.provinces = set(District.objects.provinces().values_list("pk", flat=True))
        self._changes = {}
        return self

    def judge(self, indicator_id, district_id, year, value):
        indicator = self.indicators.get(indicator_id)
        if indicator is None:  # the check is off for it, or it is not the plan's
            return []
        own = self.figures.get((indicator_id, district_id), {})
        change = indicator.change(own.get(year - 1), float(value))
        if change is None:
            return []
        floor = float(self.plan.large_move_points if indicator.is_rate else self.plan.large_move_share)
        floor /= SCALE_FLOOR_SHARE
        found = []
        if district_id not in self.provinces:
            others, spread = self.changes(indicator, year)
            if others.get(district_id) != change:
                # A draft, or a figure the sample does not hold: its own sample.
                others = {**others, district_id: change}
                spread = _spread(list(others.values())) if len(others) >= MIN_DISTRICTS else None
            if len(others) >= MIN_DISTRICTS:
                outlier = _far(DISTRICTS, change, *spread, floor, indicator.is_rate)
                if outlier:
                    found.append(outlier)
        earlier = [indicator.change(own.get(y - 1), own[y]) for y in own if y < year]
        earlier = [c for c in earlier if c is not None]
        if len(earlier) >= MIN_YEARS:
            outlier = _far(YEARS, change, *_spread(earlier), floor, indicator.is_rate)
            if outlier:
                found.append(outlier)
        return found

    def changes(self, indicator, year):
        """{district id: change} of every district but the province for one indicator and year, and the
        (median, MAD) of those changes: computed once, however many of them are judged."""
        key = (indicator.pk, year)
        if key not in self._changes:
            found = {}
            for district_id in self.by_indicator[indicator.pk] - self.provinces:
                years = self.figures[(indicator.pk, district_id)]
                if year in years:
                    change = indicator.change(years.get(year - 1), years[year])
                    if change is not None:
                        found[district_id] = change
            self._changes[key] = (found, _spread(list(found.values())) if len(found) >= MIN_DISTRICTS else None)
        return self._changes[key]


def _decimal(number):
    """A figure read as a float back as the decimal it is stored as (at most 15 digits, which a float keeps)."""
    return Decimal(repr(number))


def _spread(sample):
    """(median, median absolute deviation) of a sample of changes."""
    middle = median(sample)
    return middle, median([abs(c - middle) for c in sample])


def _far(basis, change, middle, spread, floor, rate):
    score = CONSISTENCY * (change - middle) / max(spread, floor)
    if abs(score) <= THRESHOLD:
        return None
    return Outlier(basis=basis, change=change, median=middle, score=score, rate=rate)
