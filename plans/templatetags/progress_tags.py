"""Template filters that show progress.py's verdicts and numbers; they format, they never compute."""

from django import template
from django.utils.translation import gettext as _

from plans import explanations, progress

register = template.Library()


@register.filter
def status_label(status):
    """The Chinese label of a status code: "on_track" → 符合预期."""
    return progress.STATUS_LABELS.get(status, status)


@register.filter
def figure(value, decimals=2):
    """A figure with the indicator's decimals ("83.20"), or a dash when there is none."""
    if value is None:
        return "—"
    return f"{float(value):.{int(decimals)}f}"


@register.filter
def milestone(target):
    """A `progress.Milestone` as the plan prints targets: ">99", "3~5", "63"."""
    if target is None:
        return "—"
    return explanations.target_text(target.operator, target.value, target.upper)


@register.filter
def percent(share):
    """A share within 0..1 as a whole percentage for the progress bar ("62%")."""
    if share is None:
        return ""
    return f"{round(share * 100)}%"


@register.filter
def met_label(met):
    return _("已达标") if met else _("未达标")
