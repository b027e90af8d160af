"""The demo figures: made up to show the app, yet obeying the plan's own rules.

Plain arithmetic, no queries: `load_demo` reads the plan, asks `demo_figures` for the values and writes them
through the pipeline. The rules the figures keep:

* the cities' figures of a sum-checked indicator (`Indicator.sum_check`) add up to the province's, so the
  province is the sum of its cities (real figures included) and never contradicts them;
* a running total never falls, and every figure stays within the indicator's plausible range;
* each year moves less than the plan's year-on-year allowance, so no figure needs a forced confirmation;
* the plan's rules between indicators hold (`plans.rules`): where the paces would break one, the first indicator
  of its left side is moved to the nearest value that keeps it (a total is raised to the sum of its parts);
* the base year is never written: it holds the plan's real baselines;
* the province's indicators show every status as of the last demo year (the default year of the pages):
  paces cycle from ahead to going backwards, one indicator stops reporting two years early (数据未更新) and
  one has not reported at all (暂无数据).

Deterministic: the same plan always gets the same figures, so loading twice writes nothing new.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from plans import rules as plan_rules
from plans.progress import expected, meets

# How fast each pair moves along its expected path, cycled so that every status shows up: ahead (yet short
# of a target two years off, which 1.3 would already meet), on track, nearly on track, lagging, going
# backwards. A target that falls due within the demo years is met at the first three and missed at the others.
PACES = [1.15, 1.0, 0.95, 0.6, -0.3]
# A running total cannot go backwards: its slowest pace crawls instead.
CUMULATIVE_PACES = [1.15, 1.0, 0.95, 0.6, 0.3]
# The indicator that stops reporting early stops this many years before the last demo year.
STALE_GAP = 2


@dataclass(frozen=True)
class Pair:
    """What the demo needs to know of one indicator in one district."""

    indicator: object  # plans.models.Indicator
    district: object  # plans.models.District
    baseline: Decimal | None
    milestones: list  # progress.Milestone


def demo_figures(pairs, real, *, base_year, target_year, province_ids, rules=()):
    """{(indicator_id, district_id): {year: Decimal}} for the demo, given the plan's pairs with targets.

    `pairs` in the plan's order (indicator, then district); `real` holds every figure not from the demo
    ({(indicator_id, district_id): {year: value}}), which the demo never replaces and which a province's sum
    counts. `province_ids` are the districts the cities add up to; `rules` the plan's rules between indicators
    with their terms (`figures.validation.rules_of`).
    """
    # The years between the base year and the final one (2021–2024 of a 2020–2025 plan).
    years = range(base_year + 1, target_year)
    if not years:
        return {}
    silent, early = _quiet_indicators(pairs, province_ids, years)
    figures, index, place = {}, 0, {}
    for pair in pairs:
        indicator = pair.indicator
        key = (indicator.pk, pair.district.pk)
        if indicator.sum_check and pair.district.pk in province_ids:
            continue  # the sum of its cities, below
        paces = CUMULATIVE_PACES if indicator.cumulative else PACES
        if pair.district.pk in province_ids:
            pace = paces[index % len(paces)]
            index += 1
        else:
            # Each indicator's cities start the cycle afresh: the first cities (福州 first) move ahead or on
            # track, as most cities do, and every fifth falls behind.
            position = place[indicator.pk] = place.get(indicator.pk, -1) + 1
            pace = paces[position % len(paces)]
        if indicator.pk == silent:
            continue
        last = years[-1] - STALE_GAP if indicator.pk == early else years[-1]
        figures[key] = _along_path(pair, pace, base_year, range(years[0], last + 1))
    for pair in pairs:
        indicator = pair.indicator
        if indicator.sum_check and pair.district.pk in province_ids:
            cities = [
                (indicator.pk, p.district.pk)
                for p in pairs
                if p.indicator.pk == indicator.pk and p.district.pk not in province_ids
            ]
            figures[(indicator.pk, pair.district.pk)] = _sums(indicator, cities, real, figures, years)
    _keep_rules(rules, pairs, real, figures, years)
    kept = {
        key: {year: v for year, v in values.items() if year not in real.get(key, {})} for key, values in figures.items()
    }
    return {key: values for key, values in kept.items() if values}


def _keep_rules(rules, pairs, real, figures, years):
    """Move the first left indicator of each broken rule, where its figure is the demo's, to the nearest value
    (at its decimals) that keeps the rule, in each district and year where every figure of the rule is there."""
    indicators = {pair.indicator.pk: pair.indicator for pair in pairs}
    districts = {pair.district.pk: pair.district for pair in pairs}
    for rule in rules:
        first = rule.left_terms[0]
        for district in districts.values():
            if not rule.applies_to(district):
                continue
            for year in years:
                values = {}
                for term in (*rule.left_terms, *rule.right_terms):
                    key = (term.indicator_id, district.pk)
                    values[term.indicator_id] = real.get(key, {}).get(year, figures.get(key, {}).get(year))
                own = (first.indicator_id, district.pk)
                if None in values.values() or year in real.get(own, {}) or first.indicator_id not in indicators:
                    continue
                left = sum(t.coefficient * values[t.indicator_id] for t in rule.left_terms)
                right = sum(t.coefficient * values[t.indicator_id] for t in rule.right_terms)
                if plan_rules.holds(rule.operator, rule.tolerance, left, right):
                    continue
                # The first term's value that makes both sides equal, rounded towards keeping the rule.
                wanted = values[first.indicator_id] + (right - left) / first.coefficient
                up = (rule.operator == plan_rules.GE) == (first.coefficient > 0)
                rounding = ROUND_HALF_UP if rule.operator == plan_rules.EQ else ROUND_CEILING if up else ROUND_FLOOR
                places = Decimal(1).scaleb(-indicators[first.indicator_id].shown_decimals)
                figures[own][year] = wanted.quantize(places, rounding=rounding)


def _sums(indicator, cities, real, figures, years):
    """{year: the cities' total}, a real figure counting where a city has one, for the years all cities have."""
    sums = {}
    for year in years:
        values = [real.get(city, {}).get(year, figures.get(city, {}).get(year)) for city in cities]
        if all(value is not None for value in values):
            sums[year] = _quantize(indicator, sum(values, Decimal(0)))
    return sums


def _quiet_indicators(pairs, province_ids, years):
    """The two indicators that have not reported lately: (never reported, stopped early).

    The last two in the plan's order that only the province reports, have a baseline to be judged against, run
    no total and end after the demo years: where a missing figure is plausible (a survey or census), and
    where the verdict it would have had is a pace that an old figure can no longer vouch for.
    """
    candidates = [
        pair.indicator.pk
        for pair in pairs
        if pair.district.pk in province_ids
        and not pair.indicator.sum_check
        and not pair.indicator.cumulative
        and pair.baseline is not None
        and max(m.year for m in pair.milestones) > years[-1]
        and not _holds_level(pair)
    ]
    if len(candidates) < 2:
        return None, None
    return candidates[-1], candidates[-2]


def _holds_level(pair):
    """Whether the baseline already meets the final target: a level to hold, not a path to follow."""
    final = max(pair.milestones, key=lambda m: m.year)
    return meets(float(pair.baseline), final, pair.indicator.direction)


def _along_path(pair, pace, base_year, years):
    """{year: value} moving along the expected path at `pace`, within the indicator's plausible range."""
    indicator = pair.indicator
    final = max(pair.milestones, key=lambda m: m.year)
    decrease = indicator.direction == "decrease"
    if pair.baseline is None:
        start = 0.0 if indicator.cumulative else final.value * (1.1 if decrease else 0.9)
    else:
        start = float(pair.baseline)
    holds_level = pair.baseline is not None and _holds_level(pair)
    values = {}
    for year in years:
        if holds_level:
            # A level already reached: creep a little further, or slip below it when the pace is negative.
            step = (year - base_year) * 0.05
            value = start + step if pace > 0 else final.value - step
        else:
            path = expected(base_year, start, pair.milestones, year, direction=indicator.direction)
            value = start + (path - start) * pace
        values[year] = _quantize(indicator, Decimal(str(value)))
    return values


def _quantize(indicator, value):
    places = indicator.shown_decimals
    value = value.quantize(Decimal(1).scaleb(-places))
    value = max(value, indicator.min_value if indicator.min_value is not None else Decimal(0))
    if indicator.max_value is not None:
        value = min(value, indicator.max_value)
    return value
