"""planboard's status codes in the words of evaluation reports (规划实施评估报告): the one place they are mapped.

The report's tables, counts and sections all take their words from here; the statuses themselves are progress.py's.
"""

from collections import Counter

from django.conf import settings
from django.utils import translation

from plans import progress

EVALUATION_WORDS = {
    progress.ACHIEVED: "已实现",
    progress.AHEAD: "快于预期",
    progress.ON_TRACK: "基本符合预期",
    progress.LAGGING: "滞后",
    progress.REGRESSING: "倒退",
    progress.NOT_ACHIEVED: "未实现",
    progress.IN_PROGRESS: "推进中",
    progress.NO_DATA: "暂无数据",
    progress.NO_TARGET: "无目标",
    progress.STALE: "数据未更新",
}
# Achieved before the year of the final target: the word evaluation reports use for it.
ACHIEVED_EARLY = "提前实现"
WARNING_MARK = "（预警）"
WARNING_NOTE = "“（预警）”表示进度虽不滞后，但按近年趋势推算到目标年份难以实现目标。"
# The order statuses are counted and listed in: settled good news, the pace, the gaps, then missing data.
WORD_ORDER = [
    "已实现",
    "快于预期",
    "基本符合预期",
    "推进中",
    "滞后",
    "倒退",
    "未实现",
    "数据未更新",
    "暂无数据",
    "无目标",
]
# The statuses section 四 lists as problems, with the reasons and measures entered for their latest figure.
PROBLEM_STATUSES = (progress.LAGGING, progress.REGRESSING, progress.NOT_ACHIEVED)
NOT_REPORTED = "未报送"


def words_note():
    """Where the report's words differ from the pages' labels, the report says so once (under 表1), naming the
    labels of the Chinese pages, the report's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _words_note()


def _words_note():
    differ = [
        f"“{word}”即页面的“{progress.STATUS_LABELS[status]}”"
        for status, word in EVALUATION_WORDS.items()
        if word != str(progress.STATUS_LABELS[status])
    ]
    achieved = progress.STATUS_LABELS[progress.ACHIEVED]
    return (
        "本报告的完成情况用语取评估报告的习惯说法，与平台页面的状态对应："
        + "；".join([*differ, f"“{ACHIEVED_EARLY}”是目标年份之前已达到最终目标，页面显示为“{achieved}”"])
        + "。"
    )


def warning(assessment):
    """Whether a status carries the warning mark: progress.py's flag for a good verdict whose trend misses the
    final target (the indicator page's 难以实现目标)."""
    return assessment.warning


def status_word(assessment, *, target_year):
    """The evaluation word for an assessment, without the warning mark: 提前实现 for a target met by a figure
    from before `target_year` (the year of the final target), otherwise `EVALUATION_WORDS`."""
    status = assessment.status
    if status == progress.ACHIEVED and assessment.latest and assessment.latest[0] < target_year:
        return ACHIEVED_EARLY
    if status in EVALUATION_WORDS:
        return EVALUATION_WORDS[status]
    # A status this module does not know yet: the dashboard's label rather than a failed report.
    return str(progress.STATUS_LABELS.get(status, status))


def completion(assessment, *, target_year):
    """The 完成情况 cell: the word, with （预警） appended for a warning."""
    return status_word(assessment, target_year=target_year) + (WARNING_MARK if warning(assessment) else "")


def count_summary(words, *, what="主要指标"):
    """ "15项主要指标中，已实现9项（其中提前实现3项），…" from the words (without warning marks) of the rows."""
    counted = Counter(words)
    early = counted.pop(ACHIEVED_EARLY, 0)
    counted["已实现"] += early
    parts = []
    for word in WORD_ORDER + sorted(set(counted) - set(WORD_ORDER)):
        if counted[word]:
            part = f"{word}{counted[word]}项"
            if word == "已实现" and early:
                part += f"（其中提前实现{early}项）"
            parts.append(part)
    return f"{len(words)}项{what}中，" + "，".join(parts) + "。" if parts else f"暂无{what}。"
