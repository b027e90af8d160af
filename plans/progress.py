"""Progress of one indicator in one district: is it on course for the plan's targets?

Plain arithmetic on plain numbers, with no queries, so pages, exports and the API can all
share it and it can be tested without a database. Callers pass the approved observations
of one indicator in one district and that district's milestones; `assess` judges them as
of a year Y:

* baseline B: the value in the plan's base year; a cumulative count with no baseline row
  starts from 0;
* expected path E(y): straight lines from (base year, B) through the milestones in year
  order, flat after the last one (the final target T);
* latest A: the latest value after the base year, up to Y;
* status: no_data, no_target, then (without a baseline) achieved / in_progress /
  not_achieved, otherwise achieved, not_achieved, regressing for a level that was held
  and lost, and finally the pace R = (A - B) / (E(year of A) - B) against the thresholds.
"""

import math
import operator
from dataclasses import dataclass
from itertools import pairwise

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACHIEVED = "achieved"
AHEAD = "ahead"
ON_TRACK = "on_track"
LAGGING = "lagging"
REGRESSING = "regressing"
NOT_ACHIEVED = "not_achieved"
IN_PROGRESS = "in_progress"
NO_DATA = "no_data"
NO_TARGET = "no_target"

STATUS_LABELS = {
    ACHIEVED: _("已实现"),
    AHEAD: _("快于预期"),
    ON_TRACK: _("符合预期"),
    LAGGING: _("滞后"),
    REGRESSING: _("倒退"),
    NOT_ACHIEVED: _("未实现"),
    IN_PROGRESS: _("推进中"),
    NO_DATA: _("暂无数据"),
    NO_TARGET: _("无目标"),
}

# Reports are often printed in black and white, so besides differing in hue the colours
# sit at clearly different grey levels (luma from about 0.14 to 0.90, at least 0.06 apart).
STATUS_COLOURS = {
    ACHIEVED: "#14521a",  # dark green
    AHEAD: "#00796b",  # teal
    ON_TRACK: "#66bb6a",  # green
    LAGGING: "#ffc107",  # amber
    REGRESSING: "#e53935",  # red
    NOT_ACHIEVED: "#5a0b0b",  # dark red
    IN_PROGRESS: "#6f8794",  # blue-grey
    NO_DATA: "#adadad",  # grey
    NO_TARGET: "#e6e6e6",  # light grey
}

# Text on each colour, dark or light enough to read; badges, charts and the Excel report all take it from here.
STATUS_TEXT_COLOURS = {
    ACHIEVED: "#ffffff",
    AHEAD: "#ffffff",
    ON_TRACK: "#10240f",
    LAGGING: "#2b2100",
    REGRESSING: "#ffffff",
    NOT_ACHIEVED: "#ffffff",
    IN_PROGRESS: "#ffffff",
    NO_DATA: "#1f2933",
    NO_TARGET: "#1f2933",
}

INCREASE = "increase"
DECREASE = "decrease"

# Figures are decimals turned into floats, which rarely subtract exactly
# (86.6 - 80 gives 6.599999999999994), so comparisons that decide a status allow this slack.
TOLERANCE = 1e-9

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
    latest figure's year and `ratio` the pace R (None where undefined, and for a level
    already held). `share` is how much of the way from the baseline to the final target
    the latest figure covers and `expected_share` how much the path expects by the as-of
    year, both within 0..1 and None for a level already held.
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


def expected(base_year: int, baseline: float, milestones: list[Milestone], year: int) -> float:
    """The value the plan's path expects in `year`.

    The path runs in straight lines from the baseline through the milestones in year order
    (a range target at its lower end) and stays at the last milestone afterwards.
    """
    points = [(base_year, baseline)]
    points += [(m.year, m.value) for m in _in_year_order(milestones) if m.year > base_year]
    if year <= base_year:
        return baseline
    for (start_year, start), (end_year, end) in pairwise(points):
        if year <= end_year:
            return start + (end - start) * (year - start_year) / (end_year - start_year)
    return points[-1][1]


def meets(value: float, target: Milestone, direction: str) -> bool:
    """Whether `value` meets `target` for an indicator going in `direction`.

    The operator decides; a bare number, as the plan prints most targets, means "at least"
    when more is better and "at most" when less is better.
    """
    _check_direction(direction)
    # A range target is met at its easier end: the lower one when more is better,
    # the upper one (if the plan gives it) when less is better.
    threshold = target.value
    if direction == DECREASE and target.upper is not None:
        threshold = target.upper
    sign = target.operator or ("≥" if direction == INCREASE else "≤")
    try:
        compare = _COMPARISONS[sign]
    except KeyError:
        raise ValueError(f"unknown target operator {target.operator!r}") from None
    return compare(value, threshold)


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
) -> Assessment:
    """Judge one indicator in one district as of the year `as_of`.

    `values` are the approved observations by year, the base year's included if there is
    one; `milestones` are the district's targets in any order. `decimals` only formats
    the explanation; the numbers are returned unrounded.
    """
    _check_direction(direction)
    path = _in_year_order(milestones)
    final = path[-1] if path else None
    baseline = _baseline(values, base_year, cumulative)
    observed = [(year, float(value)) for year, value in sorted(values.items()) if base_year < year <= as_of]
    latest = observed[-1] if observed else None

    base = baseline[1] if baseline else None
    hold_level = base is not None and final is not None and meets(base, final, direction)
    met = meets(latest[1], final, direction) if latest and final else None
    expected_then = None
    ratio = None
    if latest and final and base is not None:
        expected_then = expected(base_year, base, path, latest[0])
        if not _close(expected_then, base):
            ratio = (latest[1] - base) / (expected_then - base)

    share = None
    expected_share = None
    if final and base is not None and not hold_level:
        share = _share(latest[1], base, final.value) if latest else None
        # The tick shows where the path stands now (as_of), not in the year of the latest figure.
        expected_share = _share(expected(base_year, base, path, as_of), base, final.value)

    status = _settled_status(latest, baseline, path, direction, hold_level)
    if status is None:
        status = _pace(latest[1], base, expected_then, ratio, direction, ahead_at, on_track_at)
    elif hold_level:
        # The path of a level already held runs back towards the target, against the
        # indicator's direction, so a pace measured along it would mean nothing.
        ratio = None

    return Assessment(
        status=status,
        baseline=baseline,
        latest=latest,
        final=final,
        expected=expected_then,
        ratio=ratio,
        met=met,
        hold_level=hold_level,
        share=share,
        expected_share=expected_share,
        projection=_projection(baseline, observed, final, direction),
        # Built only when shown: overviews judge thousands of pairs and print none of their sentences.
        explanation=_lazy_explain(
            status, base_year, latest, final, expected_then, met, hold_level, direction, decimals
        ),
    )


def _settled_status(latest, baseline, path, direction, hold_level):
    """The status where the pace doesn't matter (rules 1 to 6), or None to judge the pace."""
    if latest is None:
        return NO_DATA
    if not path:
        return NO_TARGET
    final = path[-1]
    year, value = latest
    # Achieving means meeting the final target without missing the milestone of that same
    # year: a stricter interim target still has to be met when its year comes.
    achieved = all(meets(value, m, direction) for m in path if m is final or m.year == year)
    if baseline is None:
        # Without a baseline there is no path to measure the pace along.
        if achieved:
            return ACHIEVED
        return IN_PROGRESS if year < final.year else NOT_ACHIEVED
    if achieved:
        return ACHIEVED
    if year >= final.year and not meets(value, final, direction):
        return NOT_ACHIEVED
    if hold_level and not meets(value, final, direction):
        return REGRESSING
    return None


def _pace(value, base, expected_then, ratio, direction, ahead_at, on_track_at):
    """Rule 7: how far A has come along the path compared with how far it should have."""
    if ratio is None:
        # The path expects no change yet: holding the baseline is all that can be asked.
        better = value > base if direction == INCREASE else value < base
        return ON_TRACK if better or _close(value, base) else REGRESSING
    if ratio >= ahead_at - TOLERANCE:
        return AHEAD
    if ratio >= on_track_at - TOLERANCE:
        return ON_TRACK
    if ratio >= -TOLERANCE:
        return LAGGING
    return REGRESSING


def _baseline(values, base_year, cumulative):
    if base_year in values:
        return (base_year, float(values[base_year]))
    if cumulative:
        # A running total since the base year starts from nothing.
        return (base_year, 0.0)
    return None


def _projection(baseline, observed, final, direction):
    if final is None:
        return None
    points = ([baseline] if baseline else []) + observed
    value = project(points, final.year)
    if value is None:
        return None
    return Projection(year=final.year, value=value, met=meets(value, final, direction))


def _share(value, base, target):
    """How much of the distance from the baseline to the target `value` covers, within 0..1."""
    if _close(target, base):
        return None
    return min(1.0, max(0.0, (value - base) / (target - base)))


def _explain(status, base_year, latest, final, expected_then, met, hold_level, direction, decimals):
    """One sentence of plain Chinese saying why the status is what it is."""
    if status == NO_DATA:
        return gettext("暂无%(year)s年以后的审核通过数据") % {"year": base_year}
    if status == NO_TARGET:
        return gettext("该地区无目标值")

    def number(value):
        return f"{value:.{decimals}f}"

    target = target_text(final.operator, final.value, final.upper, number=number)
    words = {
        "year": latest[0],
        "actual": number(latest[1]),
        "target_year": final.year,
        "target": target,
        "status": STATUS_LABELS[status],
    }
    if status == ACHIEVED:
        return gettext("%(year)s年实际值%(actual)s，已达到%(target_year)s年目标%(target)s，%(status)s") % words
    if status == NOT_ACHIEVED:
        return gettext("%(year)s年实际值%(actual)s，未达到%(target_year)s年目标%(target)s，%(status)s") % words
    if status == IN_PROGRESS:
        return gettext("%(year)s年实际值%(actual)s，尚未达到%(target_year)s年目标%(target)s，%(status)s") % words
    if hold_level and not met:
        if direction == INCREASE:
            return gettext("%(year)s年实际值%(actual)s，未保持在目标%(target)s以上，%(status)s") % words
        return gettext("%(year)s年实际值%(actual)s，未保持在目标%(target)s以下，%(status)s") % words
    # The path passes between whole counts (1.33 counties by now): show it to two places, or "应达1" misleads.
    words["expected"] = (
        number(expected_then)
        if _close(expected_then, round(expected_then, decimals))
        else (f"{expected_then:.{max(decimals, 2)}f}")
    )
    return gettext("%(year)s年实际值%(actual)s，按进度应达%(expected)s，%(status)s") % words


def _in_year_order(milestones):
    return sorted(milestones, key=lambda milestone: milestone.year)


def _close(a, b):
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _check_direction(direction):
    if direction not in (INCREASE, DECREASE):
        raise ValueError(f"unknown direction {direction!r}")


_lazy_explain = lazy(_explain, str)


def plain(number):
    """A number as the plan prints it, without trailing zeros: "99", "15.3"."""
    return "" if number is None else f"{number:.4f}".rstrip("0").rstrip(".")


def target_text(operator, value, upper=None, *, number=plain):
    """A target as the plan prints it: ">99", "3~5" for a range, a bare "63" without a sign."""
    text = number(value)
    if upper is not None and not _close(float(upper), float(value)):
        text += "~" + number(upper)
    return (operator or "") + text
