"""The plan's progress as pages and the API read it: `Plan.assess` joined to indicators and districts.

Nothing here judges progress; `progress.py` does, through `Plan.assess`. This module picks the as-of year and
district a request asks for, and lays the assessments out as rows, counts and per-district summaries with a
fixed number of queries whatever the number of years, districts or figures.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Value, When
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from dashboards import charts
from dashboards.cache import cached, data_version
from figures import access, standings
from figures.assessments import assess, assess_pair
from figures.models import Observation
from plans import explanations, progress
from plans.chains import sharing_sql, showing
from plans.models import Attribute, District, Indicator, Target
from plans.shortcuts import year_or_404
from plans.statuses import STATUS_ORDER
from plans.years import default_as_of, parse_year, this_year


@dataclass(frozen=True)
class Row:
    """One indicator in one district, with its verdict as of `as_of`."""

    indicator: Indicator
    assessment: progress.Assessment
    as_of: int

    @property
    def heading(self):
        """The plan's grouping: 专栏1 · 职业教育."""
        indicator = self.indicator
        return f"{indicator.section} · {indicator.group}" if indicator.group else indicator.section

    @property
    def status(self):
        return self.assessment.status

    @property
    def warning(self):
        """预警: on course by its pace but projected to miss, or behind on a binding (约束性) indicator."""
        return progress.needs_warning(self.assessment, binding=self.indicator.attribute == Attribute.BINDING)

    @property
    def warning_kind(self):
        return explanations.warning_kind(self.assessment)

    @property
    def warning_reason(self):
        """Why the row is on the 预警 list, in words."""
        return explanations.warning_reason(self.assessment, self.indicator.decimals)

    @property
    def stale(self):
        """The latest figure is from before the as-of year, so its year must be shown."""
        latest = self.assessment.latest
        return latest is not None and latest[0] < self.as_of


def years(plan):
    """The as-of years one can choose: every year after the base year up to the target year."""
    return list(range(plan.base_year + 1, plan.target_year + 1))


def approved_pairs(plan):
    """({year: pairs with targets that have an approved figure that year}, how many pairs have targets).

    The figures are those the plan shows (`Observation.objects.shown_in`): a continuing indicator's are stored on
    the first indicator of its chain, and count for the pair of the plan's own indicator that has the targets."""
    # Each indicator's link and its number of districts with targets, in the one query the pair count took.
    indicators = list(
        Indicator.objects.filter(plan=plan)
        .annotate(pairs=Count("targets__district", distinct=True))
        .order_by()
        .values_list("pk", "continues_id", "pairs")
    )
    pair_count = sum(pairs for _pk, _continues, pairs in indicators)
    # The plan's indicator a figure is counted for: its own, or the one whose figures are stored on it (a query
    # per link of the chains, none for a plan that continues no other).
    stored_on = showing([(pk, continues) for pk, continues, _pairs in indicators])
    shown_as = Case(
        *(When(indicator=stored, then=Value(pk)) for stored, pk in stored_on.items() if stored != pk),
        default=F("indicator"),
        output_field=IntegerField(),
    )
    targeted = Target.objects.filter(indicator=OuterRef("shown_as"), district=OuterRef("district"))
    by_year = dict(
        Observation.objects.approved()
        .shown_in(plan)
        .filter(year__gt=plan.base_year, year__lte=plan.target_year)
        .alias(shown_as=shown_as)
        .filter(Exists(targeted))
        .order_by()
        .values_list("year")
        .annotate(pairs=Count("pk"))
    )
    return by_year, pair_count


def counted_pairs(plan, version=None):
    """`approved_pairs`, computed once per data version (`version`, read here if not given) for every worker and
    host: on a national plan it counts millions of figures, and every page without `?year=` needs it."""
    version = version or data_version()
    return cached("approved-pairs", lambda: approved_pairs(plan), version=version, plan=plan)


def default_year(plan, counted=None):
    """The as-of year every page, the API and the exports start from (plans.years.default_as_of)."""
    by_year, pair_count = counted or counted_pairs(plan)
    return default_as_of(
        base_year=plan.base_year,
        target_year=plan.target_year,
        current_year=this_year(),
        approved_pairs_by_year=by_year,
        pair_count=pair_count,
    )


def completeness(plan, year, counted=None):
    """[(year, pairs approved, pairs with targets)] for the as-of year and the next, as pages show them."""
    by_year, pair_count = counted or counted_pairs(plan)
    return [(y, by_year.get(y, 0), pair_count) for y in (year, year + 1) if y <= plan.target_year]


def chosen_year(plan, raw):
    """The as-of year a request asks for (`?year=`), or the default; ValidationError if it is not a plan year."""
    return parse_year(raw, years(plan), default=None) or default_year(plan)


def chosen_year_or_404(plan, raw, counted=None, *, version=None):
    return year_or_404(raw, years(plan), default=None) or default_year(plan, counted or counted_pairs(plan, version))


class Visible:
    """The districts a user may see (`access.visible_districts`), in their order, read as a page needs them.

    A page served from the cache needs only which they are (its cache keys), how many, and the chosen one: they are
    read as plain rows, and made District objects only when a page computes or renders what is not cached. On a
    national plan making 1,000 of them cost more than the rest of a cached page.
    """

    FIELDS = [field.attname for field in District._meta.concrete_fields]

    def __init__(self, request):
        self.rows = access.visible_district_rows(request, self.FIELDS)

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.districts)

    def __getitem__(self, index):
        return self.districts[index]

    @cached_property
    def districts(self):
        return [self.district(row) for row in self.rows]

    @cached_property
    def pks(self):
        """What the cache keys hold of them."""
        return [row.id for row in self.rows]

    def district(self, row):
        return District.from_db(DEFAULT_DB_ALIAS, self.FIELDS, row)


def visible_districts(request):
    """The districts the request's user may see, as the read pages and the API take them (`Visible`)."""
    return Visible(request)


def chosen_district(visible, code):
    """The district a request asks for (`?district=`) among those the user may see (`Visible`); Http404 otherwise.

    Without a code: 全省 if visible, else the user's first district. The chooser's search box may also send a name
    typed out in full (全名, 简称 or English) instead of picking a suggestion: it stands for the one district of
    that name.
    """
    rows = visible.rows
    if code:
        match = next((row for row in rows if row.code == code), None)
        if match is None:
            named = [row for row in rows if code in (row.name, row.short_name, row.name_en)]
            match = named[0] if len(named) == 1 else None
        if match is None:
            raise Http404(_("没有该地区，或无权查看。"))
        return visible.district(match)
    for row in rows:  # the province comes first in the districts' order
        district = visible.district(row)
        if district.is_province:
            return district
    if not rows:
        raise Http404(_("没有可查看的地区。"))
    return visible.district(rows[0])


class PlanProgress:
    """Every assessment of a plan as of a year for the given districts, with the indicators behind them.

    Four queries: the indicators, then `Plan.assess`'s three.
    """

    def __init__(self, plan, *, as_of, districts, indicators=None):
        self.plan = plan
        self.as_of = as_of
        self.districts = list(districts)
        rows = Indicator.objects.filter(plan=plan)
        if indicators is not None:
            rows = rows.filter(pk__in=[i.pk for i in indicators])
        self.indicators = list(rows)
        self.assessments = assess(plan, as_of=as_of, indicators=self.indicators, districts=self.districts)
        self.targeted = {key for key, assessment in self.assessments.items() if assessment.final is not None}

    def assessment(self, indicator, district):
        """The verdict for a pair; a pair with neither targets nor figures has no target."""
        return self.assessments.get((indicator.pk, district.pk)) or _no_target()

    def rows(self, district, *, all_indicators=False):
        """The district's indicators in the plan's order: those it has targets for (all of them for 全省)."""
        return [
            Row(indicator, self.assessment(indicator, district), self.as_of)
            for indicator in self.indicators
            if all_indicators or district.reports(indicator, self.targeted)
        ]

    def warnings(self, district):
        """The district's rows that need a leader's eye: projected misses first, then binding indicators behind."""
        rows = [row for row in self.rows(district) if row.warning]
        return sorted(rows, key=lambda row: not row.assessment.projection_misses)

    def counts(self, district):
        """How many of the district's indicators are in each status, in the order statuses are listed."""
        counted = Counter(row.status for row in self.rows(district))
        return [(status, counted[status]) for status in STATUS_ORDER if counted[status]]

    def by_district(self, indicator):
        """(district, assessment) for every district with targets or figures for the indicator."""
        return [
            (district, self.assessments[(indicator.pk, district.pk)])
            for district in self.districts
            if (indicator.pk, district.pk) in self.assessments
        ]


class StatusOverview:
    """How many indicators of each district stand in each status, read from the precomputed `Standing` rows.

    One query however many districts and figures there are: the all-districts overview must stay fast at a
    national scale, where judging every figure on each request would take minutes.
    """

    def __init__(self, plan, *, as_of, districts):
        self.districts = list(districts)
        self.counts = standings.counts_by_district(plan, as_of=as_of, districts=self.districts)

    def counts_by_district(self):
        """(district name, {status: count}) for every district, counting the indicators it has targets for."""
        return [(district.display_short_name, self.counts[district.pk]) for district in self.districts]

    def chart(self):
        return charts.status_by_district(self.counts_by_district())

    def table(self):
        """The chart's numbers as a table: (statuses shown, [(district name, [count, ...]), ...])."""
        counts = self.counts_by_district()
        statuses = [s for s in STATUS_ORDER if any(c.get(s) for name, c in counts)]
        return statuses, [(name, [c.get(s, 0) for s in statuses]) for name, c in counts]


def _no_target():
    """The verdict on a pair the plan sets no target for and nobody reported on."""
    return progress.Assessment(
        status=progress.NO_TARGET,
        baseline=None,
        latest=None,
        final=None,
        expected=None,
        ratio=None,
        met=None,
        hold_level=False,
        share=None,
        expected_share=None,
        projection=None,
        explanation=_("该地区无目标值"),
    )


class IndicatorProgress:
    """One indicator across the districts a user may see: its figures, targets and verdicts as of a year.

    Six queries: `PlanProgress`'s four, the targets (with those of the other plans' indicators that share its
    figures, README "Figures two plans share": the line runs through every plan with each plan's targets) and the
    approved figures; one more for an indicator that continues another.
    """

    def __init__(self, plan, indicator, *, as_of, districts):
        self.plan = plan
        self.indicator = indicator
        self.as_of = as_of
        self.verdicts = PlanProgress(plan, as_of=as_of, districts=districts, indicators=[indicator])
        self.districts = self.verdicts.districts
        self.targets = {}
        # This indicator's targets and those of the other plans' indicators of the same statistic, in one query.
        shown = Target.objects.filter(indicator__in=sharing_sql(indicator), district__in=self.districts)
        others = {}
        for target in shown.select_related("indicator__plan").order_by("year"):
            self.targets.setdefault((target.indicator_id, target.district_id), []).append(target)
            if target.indicator_id != indicator.pk:
                others[target.indicator_id] = target.indicator
        # Earliest plan first.
        self.others = sorted(others.values(), key=lambda other: (other.plan.base_year, other.plan.pk))
        self.figures = {}
        approved = Observation.objects.approved().filter(indicator=indicator.statistic, district__in=self.districts)
        for district_id, year, value in approved.values_list("district_id", "year", "value"):
            self.figures.setdefault(district_id, {})[year] = value

    def assessment(self, district):
        return self.verdicts.assessment(self.indicator, district)

    def milestones(self, district, indicator=None):
        targets = self.targets.get(((indicator or self.indicator).pk, district.pk), [])
        return [t.milestone for t in targets]

    def method(self, district):
        """How the district's verdict is computed, in sentences (the metadata panel of the indicator page)."""
        indicator, plan = self.indicator, self.plan
        method = progress.method(
            milestones=self.milestones(district),
            baseline=self.assessment(district).baseline,
            direction=indicator.direction,
            ahead_at=float(plan.ahead_ratio),
            on_track_at=float(plan.on_track_ratio),
            decimals=indicator.decimals,
            level_gap=indicator.level_gap,
            is_rate=indicator.is_rate,
        )
        return explanations.describe_method(
            method, decimals=indicator.decimals, unit=indicator.unit, is_rate=indicator.is_rate
        )

    def values(self, district):
        """The district's approved figures up to the as-of year, {year: float}, and those of the years of a
        later plan that continues the indicator: the as-of year chooses among this plan's years only."""
        return {
            year: float(value)
            for year, value in self.figures.get(district.pk, {}).items()
            if year <= self.as_of or year > self.plan.target_year
        }

    def other_plans(self, district):
        """The other plans' targets for the same statistic, as the chart draws them: [charts.PlanPath]."""
        values = self.figures.get(district.pk, {})
        paths = []
        for other in self.others:
            milestones = self.milestones(district, other)
            if not milestones:
                continue
            as_of = min(other.plan.target_year, max(self.as_of, other.plan.base_year + 1))
            assessment = assess_pair(other.plan, other, milestones, values, as_of)
            paths.append(charts.PlanPath(other.plan.name, other, other.plan.base_year, milestones, assessment))
        return paths

    def path(self, district):
        """(year, actual, expected, target) from the base year to the final target's year, as the chart shows them.

        `expected` is the plan's path (`progress.expected`); None where there is no baseline or target, and for
        a level already held, where the path would only run back towards the target.
        """
        assessment = self.assessment(district)
        milestones = self.milestones(district)
        targets = {t.year: t for t in self.targets.get((self.indicator.pk, district.pk), [])}
        values = self.values(district)
        last = max([self.plan.target_year, *targets, *values])
        rows = []
        for year in range(self.plan.base_year, last + 1):
            expected = None
            if assessment.baseline and milestones and not assessment.hold_level:
                expected = progress.expected(
                    self.plan.base_year,
                    assessment.baseline[1],
                    milestones,
                    year,
                    direction=self.indicator.direction,
                    decimals=self.indicator.decimals,
                )
            actual = values.get(year)
            if year == self.plan.base_year and assessment.baseline:
                actual = assessment.baseline[1]
            rows.append((year, actual, expected, targets.get(year)))
        return rows

    def chart(self, district):
        return charts.indicator_progress(
            indicator=self.indicator,
            base_year=self.plan.base_year,
            values=self.values(district),
            milestones=self.milestones(district),
            assessment=self.assessment(district),
            plan_name=self.plan.name,
            other_plans=self.other_plans(district),
        )

    def comparison(self):
        """(district, assessment) for every district with targets or figures for the indicator.

        The province drops out when districts are compared: its figure is their total or their average,
        and beside them its bar would dwarf theirs.
        """
        rows = self.verdicts.by_district(self.indicator)
        districts = [(d, a) for d, a in rows if not d.is_province]
        return districts if len(districts) > 1 else rows

    def comparison_chart(self):
        return charts.district_comparison(
            indicator=self.indicator, rows=[(d.display_short_name, a) for d, a in self.comparison()]
        )

    def years(self):
        """Every year with a figure in any district, base year first."""
        return sorted({year for values in self.figures.values() for year in values})
