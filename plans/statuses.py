"""The words of a verdict: its status codes, their labels and colours, and the directions indicators go in.

The rules that pick a status live in `progress.py` and the sentences that explain it in `explanations.py`; both
read their vocabulary from here, so neither imports the other's way round. Callers keep using the names through
`progress` (`progress.STATUS_LABELS`).
"""

import math

from django.utils.translation import gettext_lazy as _

ACHIEVED = "achieved"
AHEAD = "ahead"
ON_TRACK = "on_track"
LAGGING = "lagging"
REGRESSING = "regressing"
NOT_ACHIEVED = "not_achieved"
IN_PROGRESS = "in_progress"
STALE = "stale"
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
    STALE: _("数据未更新"),
    NO_DATA: _("暂无数据"),
    NO_TARGET: _("无目标"),
}

# The order statuses are stacked and listed in: settled good news first, then the pace, then the gaps.
STATUS_ORDER = [
    ACHIEVED,
    AHEAD,
    ON_TRACK,
    IN_PROGRESS,
    STALE,
    LAGGING,
    REGRESSING,
    NOT_ACHIEVED,
    NO_DATA,
    NO_TARGET,
]

# Reports are often printed in black and white, so besides differing in hue the colours
# sit at clearly different grey levels (luma from about 0.14 to 0.90, at least 0.06 apart), and each
# reaches WCAG AA's 4.5:1 with its text colour below (axe-core checks the pages).
STATUS_COLOURS = {
    ACHIEVED: "#14521a",  # dark green
    AHEAD: "#006d60",  # teal
    ON_TRACK: "#66bb6a",  # green
    LAGGING: "#ffc107",  # amber
    REGRESSING: "#d32f2f",  # red
    NOT_ACHIEVED: "#5a0b0b",  # dark red
    IN_PROGRESS: "#617783",  # blue-grey
    STALE: "#d9c8f2",  # lavender, between amber and the light grey of no_target
    NO_DATA: "#adadad",  # grey
    NO_TARGET: "#e6e6e6",  # light grey
}

# Text on each colour, dark or light enough to read; badges, charts and the Excel and Word reports take it from here.
STATUS_TEXT_COLOURS = {
    ACHIEVED: "#ffffff",
    AHEAD: "#ffffff",
    ON_TRACK: "#10240f",
    LAGGING: "#2b2100",
    REGRESSING: "#ffffff",
    NOT_ACHIEVED: "#ffffff",
    IN_PROGRESS: "#ffffff",
    NO_DATA: "#1f2933",
    STALE: "#2a1b3d",
    NO_TARGET: "#1f2933",
}

INCREASE = "increase"
DECREASE = "decrease"

# Figures are decimals turned into floats, which rarely subtract exactly
# (86.6 - 80 gives 6.599999999999994), so comparisons that decide a status allow this slack.
TOLERANCE = 1e-9


def close(a, b):
    """Whether two figures are equal but for float noise."""
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
