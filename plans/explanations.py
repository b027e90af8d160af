"""The sentence beside each verdict, and how the plan's numbers and targets are written.

`progress.py` decides the status and hands over a `Reason`: which rule decided and the numbers that rule looked at.
This module only words it, in plain Chinese through gettext ("2023年实际值69.50，未达到2023年目标≥70.00，滞后"),
with figures written to the indicator's decimals as the pages print them. It judges nothing.
"""

from dataclasses import dataclass

from django.utils.functional import lazy
from django.utils.translation import gettext

from plans.statuses import INCREASE, NO_DATA, NO_TARGET, ON_TRACK, REGRESSING, STALE, STATUS_LABELS, close


@dataclass(frozen=True)
class Reason:
    """Which rule decided the status, and the numbers its sentence needs."""

    rule: str
    milestone: object = None  # the progress.Milestone missed (rule 6)
    gap: float | None = None  # the level gap (rule 5)
    floor: float | None = None  # how far from the baseline the figure may fall before it regresses (rule 5)


def plain(number):
    """A number as the plan prints it, without trailing zeros: "99", "15.3"."""
    return "" if number is None else f"{number:.4f}".rstrip("0").rstrip(".")


def target_text(operator, value, upper=None, *, number=plain):
    """A target as the plan prints it: ">99", "3~5" for a range, a bare "63" without a sign."""
    text = number(value)
    if upper is not None and not close(float(upper), float(value)):
        text += "~" + number(upper)
    return (operator or "") + text


def explain(status, earlier_status, reason, base_year, baseline, latest, final, expected_then, direction, decimals):
    """One sentence of plain Chinese saying why the status is what it is."""
    if status == NO_DATA:
        return gettext("暂无%(year)s年以后的审核通过数据") % {"year": base_year}
    if status == NO_TARGET:
        return gettext("该地区无目标值")
    if status == STALE:
        return gettext("最新数据为%(year)s年（当时%(then)s），%(status)s") % {
            "year": latest[0],
            "then": STATUS_LABELS[earlier_status],
            "status": STATUS_LABELS[STALE],
        }

    def number(value):
        return f"{value:.{decimals}f}"

    def target(milestone):
        return target_text(milestone.operator, milestone.value, milestone.upper, number=number)

    words = {
        "year": latest[0],
        "actual": number(latest[1]),
        "target_year": final.year,
        "target": target(final),
        "status": STATUS_LABELS[status],
    }
    if reason.rule == "achieved":
        return gettext("%(year)s年实际值%(actual)s，已达到%(target_year)s年目标%(target)s，%(status)s") % words
    if reason.rule == "not_achieved":
        return gettext("%(year)s年实际值%(actual)s，未达到%(target_year)s年目标%(target)s，%(status)s") % words
    if reason.rule == "no_baseline":
        return gettext("%(year)s年实际值%(actual)s，尚未达到%(target_year)s年目标%(target)s，%(status)s") % words
    if reason.rule == "hold_lost":
        if direction == INCREASE:
            return gettext("%(year)s年实际值%(actual)s，未保持在目标%(target)s以上，%(status)s") % words
        return gettext("%(year)s年实际值%(actual)s，未保持在目标%(target)s以下，%(status)s") % words
    if reason.rule == "small_gap":
        words |= {
            "baseline": number(baseline[1]),
            "gap": _threshold(reason.gap, decimals),
            "floor": _threshold(reason.floor, decimals),
        }
        return _small_gap_sentence(status, direction) % words
    if reason.rule == "missed_milestone":
        words |= {"milestone_year": reason.milestone.year, "milestone": target(reason.milestone)}
        if status == REGRESSING:
            words |= {"base_year": baseline[0], "baseline": number(baseline[1])}
            if direction == INCREASE:
                return (
                    gettext(
                        "%(year)s年实际值%(actual)s，未达到%(milestone_year)s年目标%(milestone)s，"
                        "且低于%(base_year)s年基期值%(baseline)s，%(status)s"
                    )
                    % words
                )
            return (
                gettext(
                    "%(year)s年实际值%(actual)s，未达到%(milestone_year)s年目标%(milestone)s，"
                    "且高于%(base_year)s年基期值%(baseline)s，%(status)s"
                )
                % words
            )
        return gettext("%(year)s年实际值%(actual)s，未达到%(milestone_year)s年目标%(milestone)s，%(status)s") % words
    # Where the path stands is written as the indicator page's path table writes it (a count's 2.67 is 3), so the
    # sentence and the table beside it say the same number.
    words["expected"] = number(expected_then)
    return gettext("%(year)s年实际值%(actual)s，按进度应达%(expected)s，%(status)s") % words


def warning_kind(assessment):
    """The 预警 list's short label for why an indicator is on it (`progress.needs_warning` decided that it is)."""
    return gettext("趋势预警") if assessment.projection_misses else gettext("约束性指标")


def warning_reason(assessment, decimals):
    """The 预警 list's sentence: the verdict's own, then what the trend says, or that the plan binds it."""
    if assessment.projection_misses:
        final = assessment.final
        return gettext("%(why)s；但按近年趋势推算，%(year)s年将达到%(value)s，难以实现目标%(target)s") % {
            "why": assessment.explanation,
            "year": assessment.projection.year,
            "value": f"{assessment.projection.value:.{decimals}f}",
            "target": target_text(
                final.operator, final.value, final.upper, number=lambda value: f"{value:.{decimals}f}"
            ),
        }
    return gettext("约束性指标未按进度推进：%(why)s") % {"why": assessment.explanation}


# Built only when shown: overviews judge thousands of pairs and print none of their sentences.
explain_lazily = lazy(explain, str)


def _pickled_as_its_sentence(explanation):
    return str, (str(explanation),)


# Pages cache their verdict rows and unpickle them on every view. Django unpickles a lazy string by building its
# proxy class anew (about 1 ms each: 46 per dashboard, most of a cached page's time), so a pickled explanation is the
# sentence itself, written in the language active while the rows are cached, which is the one their key names.
type(explain_lazily()).__reduce__ = _pickled_as_its_sentence


def _small_gap_sentence(status, direction):
    """Rule 5's sentence: the target is within the level gap of the baseline, so only holding the level counts."""
    if status == ON_TRACK:
        if direction == INCREASE:
            return gettext(
                "%(year)s年实际值%(actual)s，基期值%(baseline)s距目标%(target)s不超过%(gap)s，"
                "实际值不低于%(floor)s，%(status)s"
            )
        return gettext(
            "%(year)s年实际值%(actual)s，基期值%(baseline)s距目标%(target)s不超过%(gap)s，"
            "实际值不高于%(floor)s，%(status)s"
        )
    if direction == INCREASE:
        return gettext(
            "%(year)s年实际值%(actual)s，基期值%(baseline)s距目标%(target)s不超过%(gap)s，"
            "实际值低于%(floor)s，%(status)s"
        )
    return gettext(
        "%(year)s年实际值%(actual)s，基期值%(baseline)s距目标%(target)s不超过%(gap)s，实际值高于%(floor)s，%(status)s"
    )


def _threshold(value, decimals):
    """A level gap or its floor to the indicator's places, or to two where those would round it away.

    The default gap of a count is 1% of its target (0.04 of 4 schools): "不超过0" would misstate the rule.
    """
    if close(value, round(value, decimals)):
        return f"{value:.{decimals}f}"
    return f"{value:.{max(decimals, 2)}f}"


def describe_method(method, *, decimals, unit="", is_rate=False):
    """How the verdict is computed for one indicator in one district, in plain sentences (the indicator page's
    metadata panel): its direction, the path from the baseline through the targets, the level gap and the pace
    thresholds. `method` is `progress.method`'s; the numbers are its, written to the indicator's decimals."""

    def number(value):
        return f"{value:.{decimals}f}"

    def target(milestone):
        return target_text(milestone.operator, milestone.value, milestone.upper, number=number)

    if method.direction == INCREASE:
        sentences = [gettext("越高越好：实际值达到目标即为已实现，到目标年份仍未达到为未实现。")]
    else:
        sentences = [gettext("越低越好：实际值不超过目标即为已实现，到目标年份仍超过为未实现。")]
    if method.rule == "no_target":
        return [*sentences, gettext("该地区没有目标值，不判断进展。")]
    final = method.milestones[-1]
    words = {"target_year": final.year, "target": target(final)}
    if method.rule == "no_baseline":
        sentences.append(
            gettext("该地区没有基期值，无法计算进度：达到%(target_year)s年目标%(target)s之前为推进中。") % words
        )
        return sentences
    base_year, baseline = method.baseline
    words |= {"base_year": base_year, "baseline": number(baseline)}
    if method.rule == "hold":
        sentences.append(
            gettext(
                "%(base_year)s年基期值%(baseline)s已达到%(target_year)s年目标%(target)s：保持达到目标为已实现，"
                "否则为倒退。"
            )
            % words
        )
        return sentences
    gap = _threshold(method.level_gap, decimals) + (gettext("个百分点") if is_rate else unit)
    if not method.gap_is_default:
        origin = gettext("规划设定")
    elif is_rate:
        origin = gettext("默认：百分比指标为0.5个百分点")
    else:
        origin = gettext("默认：目标值的1%")
    words |= {"gap": gap, "origin": origin}
    if method.rule == "small_gap":
        words["floor"] = _threshold(method.floor, decimals)
        if method.direction == INCREASE:
            text = gettext(
                "差距阈值为%(gap)s（%(origin)s）。基期值%(baseline)s与目标%(target)s相差不超过差距阈值，"
                "不按进度判断：实际值不低于%(floor)s为符合预期，低于%(floor)s为倒退。"
            )
        else:
            text = gettext(
                "差距阈值为%(gap)s（%(origin)s）。基期值%(baseline)s与目标%(target)s相差不超过差距阈值，"
                "不按进度判断：实际值不高于%(floor)s为符合预期，高于%(floor)s为倒退。"
            )
        sentences.append(text % words)
        return sentences
    points = "、".join(gettext("%(year)s年 %(value)s") % {"year": y, "value": number(v)} for y, v in method.path[1:])
    sentences.append(
        gettext(
            "规划路径：从%(base_year)s年基期值%(baseline)s起，按直线依次连到%(points)s，得出各年按进度应达值，"
            "目标年份之后保持不变。"
        )
        % (words | {"points": points})
    )
    sentences.append(
        gettext("差距阈值为%(gap)s（%(origin)s）。基期值与目标%(target)s相差超过差距阈值，按进度判断。") % words
    )
    if len(method.milestones) > 1:
        sentences.append(gettext("未达到已到期的阶段性目标为滞后，同时差于基期值为倒退。"))
    sentences.append(
        gettext(
            "进度比＝（实际值－基期值）÷（按进度应达值－基期值）：不低于%(ahead)s为快于预期，"
            "不低于%(on_track)s为符合预期，不低于0为滞后，低于0为倒退；最新数据早于上一年度时为数据未更新。"
        )
        % {"ahead": f"{method.ahead_at:.2f}", "on_track": f"{method.on_track_at:.2f}"}
    )
    return sentences
