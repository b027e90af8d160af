"""A loaded plan read back out as the rows the loader takes (`plans.fixture_files.read_folder` gives the same
dict): what the plan workbook is written from, so that an administrator downloads a plan, corrects it and uploads it
again through `figures.plan_loading.load_plan`."""

from figures.models import Observation
from plans.chains import statistics
from plans.models import Indicator, Rule, Target, Task, TaskItem, TextTarget
from plans.workbook import continuation_key


def dump_plan(plan) -> dict:
    """A loaded plan as the rows `read_folder` gives: what the plan workbook is written from."""
    tasks = list(Task.objects.filter(plan=plan).order_by("number"))
    task_numbers = {t.pk: t.number for t in tasks}
    indicators = list(Indicator.objects.filter(plan=plan).select_related("continues__plan").order_by("order", "code"))
    # A continuing indicator's baseline is stored on the first indicator of its chain.
    stored_on = statistics(indicators)
    shown_as = {stored_on[i.pk]: i for i in indicators}
    data = {
        "plan": {"code": plan.code, "fields": _fields(plan, PLAN_FIELDS)},
        "districts": [],
        "tasks": [{"number": t.number, "fields": _fields(t, TASK_FIELDS)} for t in tasks],
        "task_items": [
            {"number": item.task.number, "order": item.order, "fields": _fields(item, TASK_ITEM_FIELDS)}
            for item in TaskItem.objects.filter(task__plan=plan)
            .select_related("task")
            .order_by("task__number", "order")
        ],
        "indicators": [
            {
                "code": i.code,
                "task_number": task_numbers.get(i.task_id),
                "continues": continuation_key(i),
                "fields": _fields(i, INDICATOR_FIELDS),
            }
            for i in indicators
        ],
        "targets": [
            {
                "indicator": t.indicator.code,
                "district": t.district.code,
                "year": t.year,
                "fields": _fields(t, TARGET_FIELDS),
            }
            for t in Target.objects.filter(indicator__plan=plan)
            .select_related("indicator", "district")
            .order_by("indicator__order", "indicator__code", "district__order", "year")
        ],
        "baselines": [
            {
                "indicator": shown_as[o.indicator_id].code,
                "district": o.district.code,
                "year": o.year,
                "fields": _fields(o, BASELINE_FIELDS),
            }
            for o in sorted(
                Observation.objects.approved()
                .filter(indicator__in=list(shown_as), year=plan.base_year)
                .select_related("district"),
                key=lambda o: (shown_as[o.indicator_id].order, shown_as[o.indicator_id].code, o.district.order),
            )
        ],
        "text_targets": [
            {
                "code": t.code,
                "task_number": task_numbers.get(t.task_id),
                "same_as": t.same_as.code if t.same_as_id else None,
                "fields": _fields(t, TEXT_TARGET_FIELDS),
            }
            for t in TextTarget.objects.filter(plan=plan).select_related("same_as").order_by("section", "code")
        ],
        "rules": [
            {
                "code": r.code,
                "fields": dict(_fields(r, RULE_FIELDS), **dict(zip(("left", "right"), r.sides(), strict=True))),
            }
            for r in Rule.objects.filter(plan=plan).prefetch_related("terms__indicator").order_by("code")
        ],
    }
    return data


# The fields each kind of row carries in the loader's form (keys, links and the 待核实 flag apart).
PLAN_FIELDS = (
    "name",
    "document_number",
    "base_year",
    "target_year",
    "ahead_ratio",
    "on_track_ratio",
    "large_move_share",
    "large_move_points",
    "review_levels",
)
TASK_FIELDS = ("category", "title", "title_en", "department", "confidence")
TASK_ITEM_FIELDS = ("content", "quantitative_target", "confidence")
INDICATOR_FIELDS = (
    "group",
    "order",
    "name",
    "name_en",
    "unit",
    "unit_en",
    "direction",
    "decimals",
    "min_value",
    "max_value",
    "whole_number",
    "attribute",
    "definition",
    "scope",
    "data_source",
    "responsible_office",
    "notes",
    "section",
    "source_detail",
    "cumulative",
    "is_main",
    "sum_check",
    "sum_tolerance",
    "district_order",
    "skip_outliers",
    "confidence",
)
TARGET_FIELDS = ("value", "upper", "operator")
RULE_FIELDS = ("name", "operator", "tolerance", "districts", "weight", "reason")
BASELINE_FIELDS = ("value", "source")
TEXT_TARGET_FIELDS = (
    "section",
    "source_detail",
    "project",
    "text",
    "value",
    "unit",
    "year",
    "kind",
    "operator",
    "direction",
    "untracked_reason",
    "confidence",
)


def _fields(obj, names):
    return {name: getattr(obj, name) for name in names}
