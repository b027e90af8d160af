"""planboard's status codes in the words of evaluation reports (规划实施评估报告): the one place they are mapped.

The report's tables, counts and sections all take their words from here; the statuses themselves are progress.py's.
The words are translated: the report is written in the language of whoever exports it.
"""

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext

from plans import progress

EVALUATION_WORDS = {
    progress.ACHIEVED: gettext_lazy("已实现"),
    progress.AHEAD: gettext_lazy("快于预期"),
    progress.ON_TRACK: gettext_lazy("基本符合预期"),
    progress.LAGGING: gettext_lazy("滞后"),
    progress.REGRESSING: gettext_lazy("倒退"),
    progress.NOT_ACHIEVED: gettext_lazy("未实现"),
    progress.IN_PROGRESS: gettext_lazy("推进中"),
    progress.NO_DATA: gettext_lazy("暂无数据"),
    progress.NO_TARGET: gettext_lazy("无目标"),
    progress.STALE: gettext_lazy("数据未更新"),
}
# Achieved before the year of the final target: the word evaluation reports use for it.
ACHIEVED_EARLY = gettext_lazy("提前实现")
WARNING_MARK = gettext_lazy("（预警）")
# The order statuses are counted and listed in: settled good news, the pace, the gaps, then missing data.
ORDER = [
    progress.ACHIEVED,
    progress.AHEAD,
    progress.ON_TRACK,
    progress.IN_PROGRESS,
    progress.LAGGING,
    progress.REGRESSING,
    progress.NOT_ACHIEVED,
    progress.STALE,
    progress.NO_DATA,
    progress.NO_TARGET,
]
# The statuses section 四 lists as problems, with the reasons and measures entered for their latest figure.
PROBLEM_STATUSES = (progress.LAGGING, progress.REGRESSING, progress.NOT_ACHIEVED)
NOT_REPORTED = gettext_noop("未报送")


def word_order():
    """The evaluation words in the order they are counted, in the language of the moment."""
    return [str(EVALUATION_WORDS[status]) for status in ORDER]


def warning_note():
    return _("“（预警）”表示进度虽不滞后，但按近年趋势推算到目标年份难以实现目标。")


def words_note():
    """Where the report's words differ from the pages' labels, the report says so once (under 表1)."""
    differ = [
        _("“%(word)s”即页面的“%(label)s”") % {"word": word, "label": progress.STATUS_LABELS[status]}
        for status, word in EVALUATION_WORDS.items()
        if str(word) != str(progress.STATUS_LABELS[status])
    ]
    early = _("“%(word)s”是目标年份之前已达到最终目标，页面显示为“%(label)s”") % {
        "word": ACHIEVED_EARLY,
        "label": progress.STATUS_LABELS[progress.ACHIEVED],
    }
    return _("本报告的完成情况用语取评估报告的习惯说法，与平台页面的状态对应：%(pairs)s。") % {
        "pairs": _("；").join([*differ, early])
    }


def warning(assessment):
    """Whether a status carries the warning mark: progress.py's flag for a good verdict whose trend misses the
    final target (the indicator page's 难以实现目标)."""
    return assessment.warning


def status_word(assessment, *, target_year):
    """The evaluation word for an assessment, without the warning mark: 提前实现 for a target met by a figure
    from before `target_year` (the year of the final target), otherwise `EVALUATION_WORDS`."""
    status = assessment.status
    if status == progress.ACHIEVED and assessment.latest and assessment.latest[0] < target_year:
        return str(ACHIEVED_EARLY)
    if status in EVALUATION_WORDS:
        return str(EVALUATION_WORDS[status])
    # A status this module does not know yet: the dashboard's label rather than a failed report.
    return str(progress.STATUS_LABELS.get(status, status))


def completion(assessment, *, target_year):
    """The 完成情况 cell: the word, with （预警） appended for a warning."""
    return status_word(assessment, target_year=target_year) + (str(WARNING_MARK) if warning(assessment) else "")


def count_summary(words, *, what=None):
    """ "15项主要指标中，已实现9项（其中提前实现3项），…" from the words (without warning marks) of the rows."""
    what = what or pgettext("evaluation", "主要指标")
    counted = Counter(words)
    early = counted.pop(str(ACHIEVED_EARLY), 0)
    achieved = str(EVALUATION_WORDS[progress.ACHIEVED])
    counted[achieved] += early
    parts = []
    order = word_order()
    for word in order + sorted(set(counted) - set(order)):
        if counted[word]:
            part = _("%(word)s%(n)d项") % {"word": word, "n": counted[word]}
            if word == achieved and early:
                part += _("（其中提前实现%(n)d项）") % {"n": early}
            parts.append(part)
    if not parts:
        return _("暂无%(what)s。") % {"what": what}
    return _("%(n)d项%(what)s中，%(parts)s。") % {"n": len(words), "what": what, "parts": _("，").join(parts)}
