"""Which plan texts an administrator must check (待核实): the one rule, applied by the loader to every row.

A restoration is flagged when its recorded confidence is a guess or absent, when any of its texts still holds
a gap: an ellipsis (…) or a bracketed marker such as （量词缺失） or （标题缺失；推测：…）, whatever the confidence,
or when it lacks a fact the plan states for every such row: a main indicator's 属性 (约束性/预期性), which a plan's
main-indicator table gives each one (the 十四五's column was lost from the source; it stays empty until checked,
never guessed).
"""

import re

from django.utils.translation import gettext as _

from plans.models import NEEDS_REVIEW, Confidence, Indicator, Task, TaskItem, TextTarget

# A gap left by the restoration: the ellipsis, or a full-width bracket saying something is missing or guessed.
GAP = re.compile(r"（[^（）]*(?:缺失|推测)[^（）]*）|…")

# The text fields of each kind of plan row (the keys of the loader's rows) that the rule reads.
TEXT_FIELDS = {
    "tasks": ("category", "title"),
    "task_items": ("content", "quantitative_target"),
    "indicators": ("name", "unit", "group"),
    "text_targets": ("project", "text", "value", "unit"),
}


# What the lists of flagged rows (the 待核实 page, the 数据质量 page) name each kind of row by: its key, its text,
# and its unit, category or project.
LISTED = {
    "indicators": ("code", "name", "unit"),
    "tasks": ("number", "title", "category"),
    "task_items": ("__str__", "content", "quantitative_target"),
    "text_targets": ("code", "text", "project"),
}


def flagged(plan):
    """The plan's rows flagged 待核实, kind by kind: [(title, kind, queryset)]."""
    return [
        (_("指标"), "indicators", Indicator.objects.filter(plan=plan, needs_review=True)),
        (_("任务"), "tasks", Task.objects.filter(plan=plan, needs_review=True)),
        (
            _("任务内容"),
            "task_items",
            TaskItem.objects.filter(task__plan=plan, needs_review=True).select_related("task"),
        ),
        (_("文字目标"), "text_targets", TextTarget.objects.filter(plan=plan, needs_review=True)),
    ]


def listed(obj, kind):
    """(key, text, unit or category or project) of a row, as the lists name it."""
    return tuple(str(obj) if name == "__str__" else getattr(obj, name) for name in LISTED[kind])


# The other fields each kind of row is judged by (`missing`).
FACT_FIELDS = {"indicators": ("is_main", "attribute")}


def missing(kind, fields):
    """The facts a row of `kind` (its fields as a dict) should state but leaves empty: a main indicator's 属性."""
    if kind == "indicators" and fields.get("is_main") and not fields.get("attribute"):
        return ["attribute"]
    return []


def gaps(*texts):
    """The gap markers found in `texts`, each once, in the order found."""
    found = []
    for text in texts:
        for match in GAP.finditer(text or ""):
            if match.group(0) not in found:
                found.append(match.group(0))
    return found


def needs_review(confidence, *texts):
    return confidence in NEEDS_REVIEW or bool(gaps(*texts))


def flag(kind, fields):
    """`fields` of a row of `kind` with its 待核实 flag set by the rule."""
    texts = [fields.get(name, "") for name in TEXT_FIELDS[kind]]
    flagged = needs_review(fields.get("confidence", Confidence.HIGH), *texts) or bool(missing(kind, fields))
    return dict(fields, needs_review=flagged)


def reasons(kind, fields, *, with_markers=True):
    """Why a row of `kind` (its fields as a dict) is flagged: its confidence where that is a guess or absent,
    each gap marker found (unless `with_markers` is false: a list showing them apart, as the plan's own text),
    and each fact it leaves empty. Empty when it is not flagged."""
    found = []
    confidence = fields.get("confidence", Confidence.HIGH)
    if confidence in NEEDS_REVIEW:
        found.append(_("复原可信度：%(confidence)s") % {"confidence": Confidence(confidence).label})
    markers = gaps(*(fields.get(name, "") for name in TEXT_FIELDS[kind]))
    if markers and with_markers:
        found.append(_("缺损标记：%(markers)s") % {"markers": "、".join(markers)})
    for name in missing(kind, fields):
        found.append(_("%(field)s缺失") % {"field": Indicator._meta.get_field(name).verbose_name})
    return found


def fields_of(obj, kind):
    """The fields of a loaded row that the rule reads."""
    names = (*TEXT_FIELDS[kind], "confidence", *FACT_FIELDS.get(kind, ()))
    return {name: getattr(obj, name) for name in names}


def reasons_of(obj, kind):
    """`reasons` for a loaded row."""
    return reasons(kind, fields_of(obj, kind))
