"""数据质量 (data quality) of a plan in one year: what a statistician looks at before signing the figures, in
sections, each read from its rule's one home: the plan's rules between indicators (`figures.validation`), the
outliers (`figures.outliers`), the cities' sums against the province (`figures.sum_checks`) and the plan items
flagged 待核实 (`plans.review_flags`). The page, its Excel
workbook and the API all lay out the same `Section`s: a title, columns, rows of plain values, and per district a
count. A new check is one more function in SECTIONS.

Who sees what: the readers of every district (leaders, province reviewers, analysts, administrators). Reviewers
and analysts judge every reported figure; leaders, who see only approved figures, judge those only.
A fixed number of queries whatever the number of districts and figures (each section says its own).
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from figures import access, outliers, sum_checks, validation
from figures.models import sees_work_in_progress
from plans import review_flags
from plans.xlsx import HEADER_FILL, HEADER_FONT, TITLE_FONT, WRAP, print_setup, safe_row, width


@dataclass(frozen=True)
class Column:
    key: str  # the API's key
    label: object  # a lazy translation: the page's and the workbook's header
    on_page: bool = True  # the page shows the columns a reader needs; the workbook and the API all of them
    plan_text: bool = False  # the plan's own (Chinese) text, as restored: marked so on English pages


@dataclass
class Section:
    key: str  # the API's name for it, and the page's anchor
    title: str
    about: str  # the rule, in a sentence
    columns: list
    rows: list  # [{column key: value}]; values are str, int, Decimal, float, bool or None
    districts: dict = field(default_factory=dict)  # {district id: number of rows}, for the sections counted so

    @property
    def counted_by_district(self):
        return self.key != NEEDS_REVIEW

    @property
    def page_columns(self):
        return [c for c in self.columns if c.on_page]

    @property
    def page_rows(self):
        """Each row's (column, value as the page prints it), in the order of `page_columns`."""
        return [[(c, shown(row[c.key])) for c in self.page_columns] for row in self.rows]


BROKEN_RULES, OUTLIERS, SUM_MISMATCHES, NEEDS_REVIEW = "broken_rules", "outliers", "sum_mismatches", "needs_review"


def shown(value):
    """A value as the page and the workbook's text cells print it."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def may_see(user):
    return user.has_perm("figures.view_all_districts")


@dataclass
class Report:
    plan: object
    year: int
    sections: list
    districts: list  # every district the reader sees

    @property
    def counted(self):
        return [s for s in self.sections if s.counted_by_district]

    def district_counts(self):
        """[(district, [count per counted section])] for every district, in the plan's district order."""
        counted = self.counted
        return [(d, [s.districts.get(d.pk, 0) for s in counted]) for d in self.districts]

    def flagged_districts(self):
        """`district_counts` of the districts with anything to look at (the page; the workbook and API list all)."""
        return [(d, counts) for d, counts in self.district_counts() if any(counts)]


def report(plan, year, user):
    districts = list(access.visible_districts(user).order_by("order", "code"))
    approved_only = not sees_work_in_progress(user)
    by_id = {d.pk: d for d in districts}
    sections = [make(plan, year, by_id, approved_only) for make in SECTIONS]
    return Report(plan=plan, year=year, sections=sections, districts=districts)


def _indicator_columns():
    return [
        Column("indicator", gettext_lazy("指标代码"), on_page=False),
        Column("indicator_name", gettext_lazy("指标")),
        Column("unit", gettext_lazy("单位")),
    ]


def _indicator_values(indicator):
    return {"indicator": indicator.code, "indicator_name": indicator.display_name, "unit": indicator.display_unit}


def rule_section(plan, year, districts, approved_only):
    """The plan's rules between indicators that the year's figures break, with both sides' figures. Two queries
    (`figures.validation.broken_rules`)."""
    found = validation.broken_rules(plan, year, list(districts.values()), approved_only=approved_only)
    counts = {}
    for breach in found:
        counts[breach.district.pk] = counts.get(breach.district.pk, 0) + 1
    rows = [
        {
            "rule": breach.rule.code,
            "rule_name": breach.rule.name,
            "weight": breach.rule.get_weight_display(),
            "district": breach.district.code,
            "district_name": breach.district.display_short_name,
            "year": breach.year,
            "left": breach.left,
            "operator": breach.rule.operator,
            "right": breach.right,
            "explanation": breach.message,
        }
        for breach in found
    ]
    columns = [
        Column("rule", gettext_lazy("规则代码"), on_page=False),
        Column("rule_name", gettext_lazy("校验规则"), plan_text=True),
        Column("weight", gettext_lazy("处理方式"), on_page=False),
        Column("district", gettext_lazy("地区代码"), on_page=False),
        Column("district_name", gettext_lazy("地区")),
        Column("year", gettext_lazy("年份"), on_page=False),
        Column("left", gettext_lazy("左边")),
        Column("operator", gettext_lazy("关系")),
        Column("right", gettext_lazy("右边")),
        Column("explanation", gettext_lazy("说明")),
    ]
    about = _(
        "规划规定的指标间校验规则（如总数不小于各部分之和），本年的数据不符合：两边各指标的数值和理由见说明。"
        "未填齐的规则不判断。"
    )
    return Section(BROKEN_RULES, _("不符合校验规则"), about, columns, rows, counts)


def outlier_section(plan, year, districts, approved_only):
    """Figures of the year whose change is far from the other districts' or the district's own earlier ones.
    Three queries (`figures.outliers`)."""
    rows, counts = [], {}
    order = {pk: n for n, pk in enumerate(districts)}
    found = [f for f in outliers.in_year(plan, year, approved_only=approved_only) if f.district_id in districts]
    found.sort(key=lambda f: (f.indicator.order, f.indicator.code, order[f.district_id]))
    for flagged in found:
        district = districts[flagged.district_id]
        counts[district.pk] = counts.get(district.pk, 0) + 1
        for outlier in flagged.outliers:
            scale = 1 if outlier.rate else 100  # points stay points; a share is given in per cent
            rows.append(
                {
                    **_indicator_values(flagged.indicator),
                    "district": district.code,
                    "district_name": district.display_short_name,
                    "year": flagged.year,
                    "value": flagged.value,
                    "previous": flagged.previous,
                    "basis": outlier.basis,
                    "change_unit": "points" if outlier.rate else "percent",
                    "change": round(outlier.change * scale, 4),
                    "median": round(outlier.median * scale, 4),
                    "score": round(outlier.score, 2),
                    "explanation": outlier.message,
                }
            )
    columns = [
        *_indicator_columns(),
        Column("district", gettext_lazy("地区代码"), on_page=False),
        Column("district_name", gettext_lazy("地区")),
        Column("year", gettext_lazy("年份"), on_page=False),
        Column("value", gettext_lazy("数值")),
        Column("previous", gettext_lazy("上年数值")),
        Column("basis", gettext_lazy("比较对象"), on_page=False),
        Column("change_unit", gettext_lazy("变动单位"), on_page=False),
        Column("change", gettext_lazy("同比变动"), on_page=False),
        Column("median", gettext_lazy("中位数"), on_page=False),
        Column("score", gettext_lazy("修正 z 分数"), on_page=False),
        Column("explanation", gettext_lazy("说明")),
    ]
    about = _(
        "同比变动（百分比指标按百分点，其他按增长率）与同年各地区的变动或本地区往年的变动相差很远：修正 z 分数"
        "（Iglewicz–Hoaglin：0.6745 ×（变动 − 中位数）÷ 绝对中位差）的绝对值大于 3.5。"
        "各地区比较须有至少 %(districts)d 个地区的变动，往年比较须有至少 %(years)d 年；"
        "绝对中位差小于规划大幅变动幅度的十分之一时按十分之一计。"
    ) % {"districts": outliers.MIN_DISTRICTS, "years": outliers.MIN_YEARS}
    return Section(OUTLIERS, _("异常值"), about, columns, rows, counts)


def sum_section(plan, year, districts, approved_only):
    """The cities' sums against the province: the plan's targets (plan data, every year) and the figures of the
    year. Counted against the province, whose figure the cities' sum contradicts. Four queries
    (`figures.sum_checks`)."""
    found = sum_checks.sum_mismatches(plan=plan, approved_only=approved_only, year=year)
    province = next((d for d in districts.values() if d.is_province), None)
    rows = [
        {
            **_indicator_values(m.indicator),
            "kind": m.kind,
            "kind_name": _("规划目标") if m.kind == "target" else _("填报数据"),
            "year": m.year,
            "province": m.province,
            "total": m.total,
            "difference": m.difference,
            "tolerance": m.tolerance,
        }
        for m in found
    ]
    columns = [
        *_indicator_columns(),
        Column("kind", gettext_lazy("类型代码"), on_page=False),
        Column("kind_name", gettext_lazy("类型")),
        Column("year", gettext_lazy("年份")),
        Column("province", gettext_lazy("全省")),
        Column("total", gettext_lazy("各地区合计")),
        Column("difference", gettext_lazy("相差")),
        Column("tolerance", gettext_lazy("允许误差")),
    ]
    about = _(
        "分地区加总校核的指标，各设区市及平潭之和与全省相差超过允许误差：规划目标（各年）和本年填报数据"
        "（全省和各地区都已填报后才比较）。计入全省。"
    )
    counts = {province.pk: len(rows)} if province is not None and rows else {}
    return Section(SUM_MISMATCHES, _("加总不符"), about, columns, rows, counts)


def review_flag_section(plan, year, districts, approved_only):
    """Plan items flagged 待核实, with why (`plans.review_flags`). Plan data, the same every year and for
    no district. Four queries."""
    rows = []
    for title, kind, flagged in review_flags.flagged(plan):
        for obj in flagged:
            key, text, extra = review_flags.listed(obj, kind)
            fields = review_flags.fields_of(obj, kind)
            rows.append(
                {
                    "kind": kind,
                    "kind_name": str(title),
                    "key": str(key),
                    "text": text or "",
                    "detail": extra or "",
                    "reasons": "；".join(review_flags.reasons(kind, fields, with_markers=False)),
                    "markers": "、".join(review_flags.gaps(*(fields[n] for n in review_flags.TEXT_FIELDS[kind]))),
                }
            )
    columns = [
        Column("kind", gettext_lazy("类别代码"), on_page=False),
        Column("kind_name", gettext_lazy("类别")),
        Column("key", gettext_lazy("代码"), plan_text=True),
        Column("text", gettext_lazy("内容"), plan_text=True),
        Column("detail", gettext_lazy("单位、类别或项目"), plan_text=True),
        Column("reasons", gettext_lazy("待核实原因")),
        Column("markers", gettext_lazy("缺损标记"), plan_text=True),
    ]
    about = _("规划复原内容中可信度低、仍有缺损标记或主要指标未填属性的条目，由管理员在规划工作簿中核实更正。")
    return Section(NEEDS_REVIEW, _("待核实规划内容"), about, columns, rows)


# The page's, the workbook's and the API's sections, in this order.
SECTIONS = [rule_section, outlier_section, sum_section, review_flag_section]


def workbook(data):
    """The report as an Excel workbook: 汇总 (counts by district), then a sheet per section."""
    book = Workbook()
    summary = book.active
    summary.title = _("汇总")
    counted = data.counted
    title = _("%(plan)s %(year)d年数据质量") % {"plan": data.plan.name, "year": data.year}
    header = [_("地区代码"), _("地区"), *[s.title for s in counted]]
    lines = [[d.code, d.display_short_name, *counts] for d, counts in data.district_counts()]
    _sheet(summary, title, header, lines)
    summary.append([])
    for section in data.sections:
        summary.append(safe_row(summary, [section.title, len(section.rows), section.about]))
    for section in data.sections:
        sheet = book.create_sheet(section.title)
        header = [str(c.label) for c in section.columns]
        lines = [[_cell(row[c.key]) for c in section.columns] for row in section.rows]
        _sheet(sheet, f"{title}：{section.title}", header, lines)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet, title, header, lines):
    """A title row, a frozen header row, the lines; columns as wide as their text, landscape A4."""
    sheet.append(safe_row(sheet, [title]))
    sheet["A1"].font = TITLE_FONT
    sheet.append(safe_row(sheet, header))
    for cell in sheet[2]:
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
    for line in lines:
        sheet.append(safe_row(sheet, line))
    for index, label in enumerate(header, start=1):
        longest = max([width(label)] + [width(line[index - 1]) for line in lines[:500]])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest + 2))
    sheet.freeze_panes = "A3"
    print_setup(sheet, "1:2")


def _cell(value):
    """Numbers stay numbers in the workbook; texts are made safe by `safe_row`."""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value
