"""Progress of one indicator in one district: is it on course for the plan's targets?

Plain arithmetic on plain numbers, with no queries, so pages, exports and the API can all
share it and it can be tested without a database. Callers pass the approved observations
of one indicator in one district and that district's milestones; `assess` judges them as
of a year Y:

* baseline B: the value in the plan's base year; a cumulative count with no baseline row
  starts from 0;
* threshold: a range target ("3~5") counts at its easier end, the lower one when more is
  better and the upper one when less is better, alike in `meets`, the path and the bar;
* expected path E(y): straight lines from (base year, B) through the milestones' thresholds
  in year order, flat after the last one (the final target T); a strict target (">99") is
  aimed one step of the indicator's precision past it (99.01), so reaching the path meets it;
* latest A: the latest value after the base year, up to Y;
* status, by the first rule that applies:

  1. no figure after the base year: no_data; no target: no_target;
  2. A meets T and every milestone of A's own year: achieved;
  3. A is from the final target year or later and misses T: not_achieved;
  4. B already met T (a level to hold) and A misses it: regressing;
  5. |T - B| is at most the level gap (`default_level_gap` unless the plan sets one): the
     pace is not measured; A no worse than B by more than the gap is on_track, else regressing;
  6. A misses a milestone dated at or before its year (and before the final year): lagging,
     or regressing if A is worse than B;
  7. no baseline (and not a running total): in_progress;
  8. the pace R = (A - B) / (E(year of A) - B) against the thresholds: ahead, on_track,
     lagging or regressing;
  9. A is from before Y - 1: ahead, on_track, lagging and in_progress become stale (the
     verdict then is kept in `earlier_status`); achieved, not_achieved and regressing stay.

* projection: the least-squares line through B and the figures, read in the final year; only
  while no figure of the final year (or later) exists up to Y. It meets T or not as the page
  prints it, to the indicator's decimals (64.997 is 65.00, which meets 65). `warning` flags an
  ahead or on_track verdict whose projection misses T while A is behind the path E(year of A),
  again as printed (a figure on its path is where the plan wants it, whatever the trend line
  says); `needs_warning` adds the poor verdicts of a binding indicator.

`years.default_as_of` picks the year a page shows when nobody asks for one. The sentence beside each verdict is
worded by `explanations.py` from the `Reason` the rules hand it; the codes, labels and colours are `statuses.py`'s.
"""

import operator
from dataclasses import dataclass
from itertools import pairwise

from plans.explanations import Reason, explain_lazily
from plans.statuses import (
    ACHIEVED,
    AHEAD,
    DECREASE,
    IN_PROGRESS,
    INCREASE,
    LAGGING,
    NO_DATA,
    NO_TARGET,
    NOT_ACHIEVED,
    ON_TRACK,
    REGRESSING,
    STALE,
    TOLERANCE,
)
from plans.statuses import STATUS_COLOURS as STATUS_COLOURS  # callers read them as progress.STATUS_COLOURS
from plans.statuses import STATUS_LABELS as STATUS_LABELS
from plans.statuses import STATUS_TEXT_COLOURS as STATUS_TEXT_COLOURS
from plans.statuses import close as _close

# The verdicts an old figure can no longer vouch for (rule 9). The others say something that
# stays true however old the figure: the target was met, missed for good, or a level was lost.
STALE_CAN_REPLACE = frozenset({AHEAD, ON_TRACK, LAGGING, IN_PROGRESS})

# The verdicts that call for a warning on an indicator the plan makes binding (约束性).
BINDING_WARNS = frozenset({LAGGING, REGRESSING, NOT_ACHIEVED, STALE})

# Rule 5's default gap: half a percentage point for rates, which are reported to about that
# precision, and 1% of the target for everything else.
RATE_LEVEL_GAP = 0.5
LEVEL_GAP_SHARE = 0.01

_COMPARISONS = {"≥": operator.ge, ">": operator.gt, "≤": operator.le, "<": operator.lt}


@dataclass(frozen=True)
class Milestone:
    """A target of one district: `value` by `year`, compared as `operator` says.

    A range target such as "力争3~5个" has its lower end in `value` and its upper end in `upper`.
    """

    year: int
    value: float
    operator: str = ""
    upper: float | None = None

    def __post_init__(self):
        # Targets come from DecimalFields; floats keep the arithmetic below in one type.
        object.__setattr__(self, "value", float(self.value))
        if self.upper is not None:
            object.__setattr__(self, "upper", float(self.upper))


@dataclass(frozen=True)
class Projection:
    year: int
    value: float
    met: bool


@dataclass(frozen=True)
class Assessment:
    """The verdict on one indicator in one district, with the numbers behind it.

    `baseline` and `latest` are (year, value) pairs; `expected` is the path's value in the
    latest figure's year and `ratio` the pace R (None where undefined, where the pace is not
    measured (rule 5), and for a level already held). `share` is how much of the way from the
    baseline to the final target's threshold the latest figure covers and `expected_share` how
    much the path expects by the as-of year, both within 0..1 and None for a level already held.
    `projection` is None once a figure of the final year is in. `warning` (also `projection_misses`) flags
    a good verdict behind its path whose projection misses the final target;
    `earlier_status` is the verdict a stale status replaced (the one the latest figure had then).
    """

    status: str
    baseline: tuple[int, float] | None
    latest: tuple[int, float] | None
    final: Milestone | None
    expected: float | None
    ratio: float | None
    met: bool | None
    hold_level: bool
    share: float | None
    expected_share: float | None
    projection: Projection | None
    explanation: str
    # Defaults keep Assessments built by hand elsewhere (a pair with no target) valid.
    warning: bool = False
    earlier_status: str | None = None

    @property
    def projection_misses(self):
        """The verdict is good but the trend points short of the final target: worth a warning, not a red flag."""
        return self.warning


def needs_warning(assessment: Assessment, binding: bool) -> bool:
    """Whether a page should flag this verdict.

    A good verdict whose projection misses the target always is; a poor one (lagging,
    regressing, not achieved, stale) only for a binding indicator, where the plan promises the
    figure, so that expected-only indicators do not drown the page in flags.
    """
    return assessment.projection_misses or (binding and assessment.status in BINDING_WARNS)


def threshold(milestone: Milestone, direction: str) -> float:
    """The one number a target is judged by: a range's easier end, otherwise its value.

    The easier end of "3~5" is 3 when more is better and 5 when less is better; `meets`, the
    path and the bar all use it, so that a figure the status calls achieved also fills the bar.
    """
    _check_direction(direction)
    if direction == DECREASE and milestone.upper is not None:
        return milestone.upper
    return milestone.value


def aim(milestone: Milestone, direction: str, decimals: int | None = None) -> float:
    """Where the path runs to for `milestone`: its threshold, one step of `decimals` past a strict one.

    ">99" reported to two places is first met at 99.01; a path ending at 99 would call a figure
    of 99 on course while the target counts it missed. Without `decimals` there is no step.
    """
    value = threshold(milestone, direction)
    if decimals is None:
        return value
    step = 10.0**-decimals
    if milestone.operator == ">":
        return value + step
    if milestone.operator == "<":
        return value - step
    return value


def default_level_gap(is_rate: bool, final_target_value: float) -> float:
    """Rule 5's gap where the plan sets none: 0.5 (percentage points) for a rate, else 1% of the target."""
    if is_rate:
        return RATE_LEVEL_GAP
    return abs(float(final_target_value)) * LEVEL_GAP_SHARE


def gap_for(final: Milestone, direction: str, level_gap: float | None, is_rate: bool) -> float:
    """Rule 5's gap for an indicator: the one the plan sets, else `default_level_gap` of its final target."""
    return default_level_gap(is_rate, threshold(final, direction)) if level_gap is None else float(level_gap)


def within_gap(base: float, final: Milestone, direction: str, level_gap: float) -> bool:
    """Rule 5 applies: the final target is within the level gap of the baseline, so holding the level counts."""
    return abs(threshold(final, direction) - base) <= level_gap + TOLERANCE


@dataclass(frozen=True)
class Method:
    """How `assess` judges one indicator in one district, for saying it in words (`explanations.describe_method`).

    `path` holds the (year, value) points the expected path runs through: the baseline, then each milestone at
    its `aim`. `rule` is which rule the figures are judged by once there are any: "no_target", "no_baseline"
    (rule 7), "hold" (rule 4, the baseline already meets the target), "small_gap" (rule 5) or "pace" (rule 8).
    """

    direction: str
    baseline: tuple[int, float] | None
    milestones: tuple[Milestone, ...]
    path: tuple[tuple[int, float], ...]
    level_gap: float | None
    gap_is_default: bool
    floor: float | None
    rule: str
    ahead_at: float
    on_track_at: float


def method(
    *,
    milestones: list[Milestone],
    baseline: tuple[int, float] | None,
    direction: str,
    ahead_at: float,
    on_track_at: float,
    decimals: int = 2,
    level_gap: float | None = None,
    is_rate: bool = False,
) -> Method:
    """The rules `assess` applies to an indicator with these milestones and this baseline, and their numbers."""
    _check_direction(direction)
    ordered = tuple(_in_year_order(milestones))
    final = ordered[-1] if ordered else None
    gap = gap_for(final, direction, level_gap, is_rate) if final else None
    base = baseline[1] if baseline else None
    path, floor = (), None
    if final is None:
        rule = "no_target"
    elif base is None:
        rule = "no_baseline"
    elif meets(base, final, direction):
        rule = "hold"
    elif within_gap(base, final, direction, gap):
        rule, floor = "small_gap", base + _against(direction) * gap
    else:
        rule = "pace"
    if rule == "pace":
        path = (baseline, *((m.year, aim(m, direction, decimals)) for m in ordered if m.year > baseline[0]))
    return Method(
        direction=direction,
        baseline=baseline,
        milestones=ordered,
        path=path,
        level_gap=gap,
        gap_is_default=level_gap is None,
        floor=floor,
        rule=rule,
        ahead_at=float(ahead_at),
        on_track_at=float(on_track_at),
    )


def expected(
    base_year: int,
    baseline: float,
    milestones: list[Milestone],
    year: int,
    *,
    direction: str = INCREASE,
    decimals: int | None = None,
) -> float:
    """The value the plan's path expects in `year`.

    The path runs in straight lines from the baseline through the milestones in year order and
    stays at the last milestone afterwards. Each milestone counts at `aim`: a range at its easier
    end for `direction`, a strict target one step of `decimals` past it. Pass the indicator's
    direction and decimals to draw the same path `assess` judges by; the defaults (the lower end,
    no step) are the path as it was drawn before ranges and strict targets were aimed at.
    """
    points = [(base_year, baseline)]
    points += [(m.year, aim(m, direction, decimals)) for m in _in_year_order(milestones) if m.year > base_year]
    if year <= base_year:
        return baseline
    for (start_year, start), (end_year, end) in pairwise(points):
        if year <= end_year:
            return start + (end - start) * (year - start_year) / (end_year - start_year)
    return points[-1][1]


def meets(value: float, target: Milestone, direction: str) -> bool:
    """Whether `value` meets `target` for an indicator going in `direction`.

    The operator decides, against the target's `threshold`; a bare number, as the plan prints
    most targets, means "at least" when more is better and "at most" when less is better.
    """
    bound = threshold(target, direction)
    sign = target.operator or ("≥" if direction == INCREASE else "≤")
    try:
        compare = _COMPARISONS[sign]
    except KeyError:
        raise ValueError(f"unknown target operator {target.operator!r}") from None
    return compare(value, bound)


def project(points: list[tuple[int, float]], year: int) -> float | None:
    """Where the least-squares line through `points` (year, value) stands in `year`.

    None with fewer than two distinct years, where no line is determined.
    """
    if len({point_year for point_year, value in points}) < 2:
        return None
    mean_year = sum(point_year for point_year, value in points) / len(points)
    mean_value = sum(value for point_year, value in points) / len(points)
    spread = sum((point_year - mean_year) ** 2 for point_year, value in points)
    covariance = sum((point_year - mean_year) * (value - mean_value) for point_year, value in points)
    return mean_value + covariance / spread * (year - mean_year)


def assess(
    *,
    values: dict[int, float],
    milestones: list[Milestone],
    direction: str,
    cumulative: bool,
    base_year: int,
    as_of: int,
    ahead_at: float = 1.10,
    on_track_at: float = 0.90,
    decimals: int = 2,
    level_gap: float | None = None,
    is_rate: bool = False,
) -> Assessment:
    """Judge one indicator in one district as of the year `as_of`.

    `values` are the approved observations by year, the base year's included if there is
    one; `milestones` are the district's targets in any order. `decimals` is the indicator's
    precision: it formats the explanation and sets the step past a strict target; the numbers
    are returned unrounded. `level_gap` is rule 5's gap (None: `default_level_gap(is_rate, T)`).
    """
    _check_direction(direction)
    path = _in_year_order(milestones)
    final = path[-1] if path else None
    baseline = _baseline(values, base_year, cumulative)
    observed = [(year, float(value)) for year, value in sorted(values.items()) if base_year < year <= as_of]
    latest = observed[-1] if observed else None
    base = baseline[1] if baseline else None
    hold_level = base is not None and final is not None and meets(base, final, direction)
    along = _Path(base_year, base, path, direction, decimals)
    expected_then, ratio = along.pace(latest)
    share, expected_share = along.shares(latest, as_of) if not hold_level else (None, None)

    if final is not None:
        level_gap = gap_for(final, direction, level_gap, is_rate)
    status, reason = _verdict(latest, baseline, path, direction, hold_level, level_gap)
    if reason.rule == "pace":
        status = _pace(latest[1], base, expected_then, ratio, direction, ahead_at, on_track_at)
    elif hold_level or reason.rule == "small_gap":
        # The path of a level already held runs back towards the target, against the
        # indicator's direction, and a target within the level gap leaves too little way to
        # measure: a pace in either case would mean nothing.
        ratio = None
    earlier_status, status = _aged(status, latest, as_of)

    projection = _projection(baseline, observed, final, direction, decimals)
    return Assessment(
        status=status,
        baseline=baseline,
        latest=latest,
        final=final,
        expected=expected_then,
        ratio=ratio,
        met=meets(latest[1], final, direction) if latest and final else None,
        hold_level=hold_level,
        share=share,
        expected_share=expected_share,
        projection=projection,
        explanation=explain_lazily(
            status, earlier_status, reason, base_year, baseline, latest, final, expected_then, direction, decimals
        ),
        warning=_warned(status, latest, expected_then, projection, direction, decimals),
        earlier_status=earlier_status,
    )


@dataclass(frozen=True)
class _Path:
    """The plan's path of one pair, from its baseline through its milestones, for the steps of `assess`."""

    base_year: int
    base: float | None
    milestones: list
    direction: str
    decimals: int

    def at(self, year):
        return expected(
            self.base_year, self.base, self.milestones, year, direction=self.direction, decimals=self.decimals
        )

    def pace(self, latest):
        """(where the path expected the latest figure's year, the share of that way the figure went); either is
        None without a figure, a target or a baseline, the share also where the path has not moved yet."""
        if not (latest and self.milestones and self.base is not None):
            return None, None
        expected_then = self.at(latest[0])
        if _close(expected_then, self.base):
            return expected_then, None
        return expected_then, (latest[1] - self.base) / (expected_then - self.base)

    def shares(self, latest, as_of):
        """(the latest figure's share of the way from the baseline to the final target, the path's share as of
        `as_of`) for the progress bar; the tick shows where the path stands now, not in the latest figure's year."""
        if not (self.milestones and self.base is not None):
            return None, None
        end = aim(self.milestones[-1], self.direction, self.decimals)
        share = _share(latest[1], self.base, end) if latest else None
        return share, _share(self.at(as_of), self.base, end)


def _aged(status, latest, as_of):
    """(the status the figure earned, the status shown): a figure two or more years old says how things stood
    then, not now (数据未更新)."""
    if latest is not None and latest[0] < as_of - 1 and status in STALE_CAN_REPLACE:
        return status, STALE
    return None, status


def _warned(status, latest, expected_then, projection, direction, decimals):
    """预警: on pace yet behind the path as printed (to the indicator's decimals), with a projection that misses."""
    behind_path = (
        expected_then is not None
        and round(latest[1], decimals) != round(expected_then, decimals)
        and _worse(latest[1], expected_then, direction)
    )
    return status in (AHEAD, ON_TRACK) and behind_path and projection is not None and not projection.met


def _verdict(latest, baseline, path, direction, hold_level, level_gap):
    """Rules 1 to 7: (status, reason), the status None where rule 8 (the pace) decides."""
    if latest is None:
        return NO_DATA, Reason("no_data")
    if not path:
        return NO_TARGET, Reason("no_target")
    final = path[-1]
    year, value = latest
    # Achieving means meeting the final target without missing the milestone of that same
    # year: a stricter interim target still has to be met when its year comes.
    if all(meets(value, m, direction) for m in path if m is final or m.year == year):
        return ACHIEVED, Reason("achieved")
    if year >= final.year and not meets(value, final, direction):
        return NOT_ACHIEVED, Reason("not_achieved")
    base = baseline[1] if baseline else None
    if hold_level and not meets(value, final, direction):
        return REGRESSING, Reason("hold_lost")
    if base is not None and within_gap(base, final, direction, level_gap):
        # The target is about where the baseline already is (99 from 98.81): a year's figure
        # moves by more than the distance, so the pace along the path would be noise; holding
        # the level is what counts.
        floor = base + _against(direction) * level_gap
        status = REGRESSING if _worse(value, floor, direction) else ON_TRACK
        return status, Reason("small_gap", gap=level_gap, floor=floor)
    missed = [m for m in path if m.year <= year and m.year < final.year and not meets(value, m, direction)]
    if missed:
        # A milestone that has fallen due is a promise broken, whatever the pace along the
        # line to the final target says.
        status = REGRESSING if base is not None and _worse(value, base, direction) else LAGGING
        return status, Reason("missed_milestone", milestone=missed[-1])
    if baseline is None:
        # Without a baseline there is no path to measure the pace along.
        return IN_PROGRESS, Reason("no_baseline")
    return None, Reason("pace")


def _pace(value, base, expected_then, ratio, direction, ahead_at, on_track_at):
    """Rule 8: how far A has come along the path compared with how far it should have."""
    if ratio is None:
        # The path expects no change yet: holding the baseline is all that can be asked.
        return REGRESSING if _worse(value, base, direction) else ON_TRACK
    if ratio >= ahead_at - TOLERANCE:
        return AHEAD
    if ratio >= on_track_at - TOLERANCE:
        return ON_TRACK
    if ratio >= -TOLERANCE:
        return LAGGING
    return REGRESSING


def _worse(value, reference, direction):
    """Whether `value` is worse than `reference` by more than float noise."""
    if _close(value, reference):
        return False
    return value < reference if direction == INCREASE else value > reference


def _against(direction):
    """-1 where more is better, +1 where less is: the sign of a step towards worse."""
    return -1 if direction == INCREASE else 1


def _baseline(values, base_year, cumulative):
    if base_year in values:
        return (base_year, float(values[base_year]))
    if cumulative:
        # A running total since the base year starts from nothing.
        return (base_year, 0.0)
    return None


def _projection(baseline, observed, final, direction, decimals):
    if final is None:
        return None
    if any(year >= final.year for year, value in observed):
        # The final year's figure is in: it, not a trend line, says whether the target was met.
        return None
    points = ([baseline] if baseline else []) + observed
    value = project(points, final.year)
    if value is None:
        return None
    # Judged as printed: a trend the page shows as 65.00 does not miss a target of 65.
    return Projection(year=final.year, value=value, met=meets(round(value, decimals), final, direction))


def _share(value, base, target):
    """How much of the distance from the baseline to the target `value` covers, within 0..1."""
    if _close(target, base):
        return None
    return min(1.0, max(0.0, (value - base) / (target - base)))


def _in_year_order(milestones):
    return sorted(milestones, key=lambda milestone: milestone.year)


def _check_direction(direction):
    if direction not in (INCREASE, DECREASE):
        raise ValueError(f"unknown direction {direction!r}")
