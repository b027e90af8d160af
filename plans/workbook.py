"""A plan as one workbook: its sheets and columns, and the workbook written from the loader's keyed rows (the form
`read_folder` gives). Reading an uploaded one back is `plans.workbook_reading`.

Sheets and columns are listed once in `SHEETS`; the writer and the reader both follow it, so a workbook that
was downloaded, corrected and uploaded again reads back to the same rows. Columns marked `out` (the 待核实 flag
and its reason, district names) are written for the reader's eye and ignored on upload: the loader sets the
flag by `plans.review_flags`.
"""

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from plans import review_flags, xlsx
from plans.models import (
    Attribute,
    Confidence,
    Direction,
    District,
    Indicator,
    Operator,
    Plan,
    Rule,
    RuleOperator,
    RuleWeight,
    Target,
    Task,
    TaskItem,
    TextTarget,
)

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
TRUE, FALSE = "是", "否"
TARGET, BASELINE = "目标", "基期值"


@dataclass(frozen=True)
class Column:
    header: str
    name: str  # the field, or the row key (code, number, order, indicator, district, year...)
    kind: str = "text"  # text, int, decimal, bool, choice, out
    required: bool = False
    choices: tuple = ()
    optional: bool = False  # the header may be absent (workbooks from before the column existed)


def _values(choices):
    return tuple(choices.values)


CONFIDENCE = Column("复原可信度", "confidence", "choice", True, _values(Confidence))
FLAG = Column("待核实", "needs_review", "out")
REASON = Column("待核实原因", "review_reason", "out")

PLAN_COLUMNS = (
    Column("代码", "code", required=True),
    Column("名称", "name", required=True),
    Column("文号", "document_number"),
    Column("基期年份", "base_year", "int", True),
    Column("目标年份", "target_year", "int", True),
    Column("快于预期阈值", "ahead_ratio", "decimal", True),
    Column("符合预期阈值", "on_track_ratio", "decimal", True),
    Column("大幅变动比例", "large_move_share", "decimal", True),
    Column("大幅变动百分点", "large_move_points", "decimal", True),
    # 1: the province reviews; 2: the district's city reviewer first, then the province (README, "The season").
    Column("审核层级", "review_levels", "int", optional=True),
)
INDICATOR_COLUMNS = (
    Column("代码", "code", required=True),
    Column("排序", "order", "int", True),
    Column("分组", "group"),
    Column("名称", "name", required=True),
    Column("英文名称", "name_en"),
    Column("单位", "unit"),
    Column("方向", "direction", "choice", True, _values(Direction)),
    Column("小数位数", "decimals", "int", True),
    Column("合理下限", "min_value", "decimal"),
    Column("合理上限", "max_value", "decimal"),
    Column("只取整数", "whole_number", "bool"),
    Column("属性", "attribute", "choice", False, _values(Attribute)),
    Column("指标解释", "definition"),
    # Metadata added later (issue 23): a workbook without these headers leaves the fields as they are.
    Column("统计口径", "scope", optional=True),
    Column("数据来源", "data_source", optional=True),
    Column("责任处室", "responsible_office", optional=True),
    Column("备注", "notes", optional=True),
    Column("出处", "section", required=True),
    Column("出处详情", "source_detail"),
    Column("累计值", "cumulative", "bool"),
    Column("所属任务", "task_number", "int"),
    Column("主要指标", "is_main", "bool"),
    Column("分地区加总校核", "sum_check", "bool"),
    Column("加总容差", "sum_tolerance", "decimal", True),
    Column("分地区表列序", "district_order", "int"),
    # "<plan code>/<indicator code>" of the earlier plan's indicator this one continues (README, "Figures two plans
    # share"): the two share their figures.
    Column("延续指标", "continues", optional=True),
    Column("英文单位", "unit_en", optional=True),
    # 是 turns the outlier flags off for this indicator (figures/outliers.py); empty or 否 keeps them.
    Column("不检查异常值", "skip_outliers", "bool", optional=True),
    CONFIDENCE,
    FLAG,
    REASON,
)
CELL_COLUMNS = (
    Column("指标代码", "indicator", required=True),
    Column("地区代码", "district", required=True),
    Column("地区", "district_name", "out"),
    Column("年份", "year", "int", True),
    Column("类型", "type", "choice", True, (TARGET, BASELINE)),
    Column("运算符", "operator", "choice", False, _values(Operator)),
    Column("数值", "value", "decimal", True),
    Column("上限", "upper", "decimal"),
    Column("来源", "source"),
)
TASK_COLUMNS = (
    Column("序号", "number", "int", True),
    Column("类别", "category", required=True),
    Column("任务", "title"),
    Column("英文名称", "title_en"),
    Column("责任单位", "department"),
    CONFIDENCE,
    FLAG,
    REASON,
)
ITEM_COLUMNS = (
    Column("任务序号", "number", "int", True),
    Column("排序", "order", "int", True),
    Column("内容", "content", required=True),
    Column("量化目标", "quantitative_target"),
    CONFIDENCE,
    FLAG,
    REASON,
)
TEXT_TARGET_COLUMNS = (
    Column("代码", "code", required=True),
    Column("出处", "section", required=True),
    Column("出处详情", "source_detail"),
    Column("重点项目", "project"),
    Column("目标表述", "text", required=True),
    Column("数值", "value"),
    Column("单位", "unit"),
    Column("年份", "year", "int", True),
    Column("类型", "kind", required=True),
    Column("运算符", "operator", "choice", False, _values(Operator)),
    Column("方向", "direction", "choice", False, _values(Direction)),
    Column("不量化跟踪的原因", "untracked_reason"),
    Column("所属任务", "task_number", "int"),
    Column("同一目标", "same_as"),
    CONFIDENCE,
    FLAG,
    REASON,
)

# 左边 and 右边 are sums of indicator codes (`a + b`, `0.0001*a`), checked by `plans.rules`.
RULE_COLUMNS = (
    Column("代码", "code", required=True),
    Column("名称", "name", required=True),
    Column("左边", "left", required=True),
    Column("运算符", "operator", "choice", True, _values(RuleOperator)),
    Column("右边", "right", required=True),
    Column("容差", "tolerance", "decimal"),
    Column("适用地区", "districts"),
    Column("违反时", "weight", "choice", True, _values(RuleWeight)),
    Column("理由", "reason", required=True),
)

# Sheet title, columns, the model its text lengths are checked against. Indicators are split over two sheets:
# the plan's main and district-table indicators, and the key projects' (both read into the same rows).
PLAN_SHEET, INDICATOR_SHEET, CELL_SHEET, TASK_SHEET, ITEM_SHEET, PROJECT_SHEET, TEXT_SHEET, RULE_SHEET = (
    "规划",
    "指标",
    "分地区目标",
    "任务",
    "任务内容",
    "重点项目",
    "文字目标",
    "校验规则",
)
SHEETS = {
    PLAN_SHEET: (PLAN_COLUMNS, Plan),
    INDICATOR_SHEET: (INDICATOR_COLUMNS, Indicator),
    CELL_SHEET: (CELL_COLUMNS, Target),
    TASK_SHEET: (TASK_COLUMNS, Task),
    ITEM_SHEET: (ITEM_COLUMNS, TaskItem),
    PROJECT_SHEET: (INDICATOR_COLUMNS, Indicator),
    TEXT_SHEET: (TEXT_TARGET_COLUMNS, TextTarget),
    RULE_SHEET: (RULE_COLUMNS, Rule),
}
# Sheets a workbook may lack (downloaded before they existed): their rows are then left as they are.
OPTIONAL_SHEETS = {RULE_SHEET}
# Row keys, not model fields.
KEYS = {"code", "number", "indicator", "district", "type", "task_number", "same_as", "source", "continues"}
BOOLEAN_DEFAULT = False


# ---------------------------------------------------------------------------------------------------------------
# Writing


def write_workbook(data) -> bytes:
    """The plan's rows as an .xlsx, one sheet per kind of row, every text cell kept as text."""
    names = dict(District.objects.values_list("code", "short_name"))
    rows = {
        PLAN_SHEET: [{"code": data["plan"]["code"], **data["plan"]["fields"]}],
        INDICATOR_SHEET: [],
        PROJECT_SHEET: [],
        CELL_SHEET: [],
        TASK_SHEET: [_flagged("tasks", {"number": r["number"], **r["fields"]}) for r in data["tasks"]],
        ITEM_SHEET: [
            _flagged("task_items", {"number": r["number"], "order": r["order"], **r["fields"]})
            for r in data["task_items"]
        ],
        TEXT_SHEET: [
            _flagged(
                "text_targets",
                {"code": r["code"], "task_number": r["task_number"], "same_as": r["same_as"], **r["fields"]},
            )
            for r in data["text_targets"]
        ],
        RULE_SHEET: [{"code": r["code"], **r["fields"]} for r in data.get("rules", [])],
    }
    for r in data["indicators"]:
        row = _flagged(
            "indicators",
            {"code": r["code"], "task_number": r.get("task_number"), "continues": r.get("continues"), **r["fields"]},
        )
        main = row.get("is_main") or row.get("sum_check")
        rows[INDICATOR_SHEET if main else PROJECT_SHEET].append(row)
    for kind, label in (("baselines", BASELINE), ("targets", TARGET)):
        for r in data[kind]:
            rows[CELL_SHEET].append(
                {
                    "indicator": r["indicator"],
                    "district": r["district"],
                    "district_name": names.get(r["district"], ""),
                    "year": r["year"],
                    "type": label,
                    **r["fields"],
                }
            )
    workbook = Workbook(write_only=True)
    for title, (columns, _model) in SHEETS.items():
        sheet = workbook.create_sheet(title)
        values = [[_out(row.get(c.name), c) for c in columns] for row in rows[title]]
        xlsx.set_widths(sheet, [[c.header for c in columns], *values], most=40)
        sheet.freeze_panes = "B2"
        sheet.append(xlsx.header_cells(sheet, [c.header for c in columns]))
        for line in values:
            sheet.append([xlsx.cell(sheet, value) for value in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _flagged(kind, row):
    found = review_flags.reasons(kind, row)
    return dict(row, needs_review=bool(found), review_reason="；".join(found))


def _out(value, column):
    if value is None:
        return None
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, Decimal):
        # Decimals are stored with four places; Excel holds doubles, which keep four places exactly enough.
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def continuation_key(indicator):
    """What the 延续指标 cell says for an indicator that continues another, else None."""
    earlier = indicator.continues
    return f"{earlier.plan.code}/{earlier.code}" if earlier else None


FILE_NAME = gettext_lazy("规划工作簿")
