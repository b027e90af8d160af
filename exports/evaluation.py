"""The plan's evaluation report (规划实施评估报告) as a Word document an official finishes in Word or WPS.

A 中期评估 for an as-of year before the plan's target year, the 总结评估 for the target year. Nothing here judges
progress: the statuses are `Plan.assess`'s, put into the words evaluation reports use (`EVALUATION_WORDS`, the one
place that maps planboard's status codes to them), and the charts are `charts.py`'s figure dicts drawn as images
by `chart_images`. `gather` reads everything in a fixed number of queries; `build_evaluation` writes the .docx.
"""

import io
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from dashboards import chart_images, charts
from figures.assessments import assess
from figures.models import Observation
from plans import progress
from plans.models import District, Indicator, Target, Task
from plans.templatetags.progress_tags import figure, milestone
from tasks import districts as district_targets
from tasks.models import TaskReport, TaskStatus

# ---------------------------------------------------------------------------------------------------------------
# planboard's status codes in the words of evaluation reports: the one place they are mapped.

STALE = getattr(progress, "STALE", "stale")  # being added to progress.py: the latest figure is out of date

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
    STALE: "数据未更新",
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
# Statuses that look fine, where a trend that misses the target is worth a warning (滞后 and 倒退 are one already).
OPEN_STATUSES = (progress.AHEAD, progress.ON_TRACK, progress.IN_PROGRESS)
NOT_REPORTED = "未报送"

# The plan's main indicators are, for now, its first column group (专栏1), as the Excel report's trend charts pick
# them; `main_indicators` is the one place to change when plans get a flag for it.
MAIN_SECTION = "专栏1"


def main_indicators(indicators):
    """The plan's main indicators among `indicators` (in plan order): those of 专栏1, or all if it has none."""
    indicators = list(indicators)
    return [i for i in indicators if i.section == MAIN_SECTION] or indicators


def evaluation_kind(plan, as_of):
    """中期评估 before the plan's target year, 总结评估 in it."""
    return "中期评估" if as_of < plan.target_year else "总结评估"


def warning(assessment):
    """Whether a status carries a warning: the assessment's own flag where progress.py gives one, otherwise a
    status that looks fine (快于预期, 基本符合预期, 推进中) while the trend (progress.py's projection, the
    indicator page's 难以实现目标) misses the final target."""
    flag = getattr(assessment, "warning", None)
    if flag is not None:
        return bool(flag)
    projection = assessment.projection
    return assessment.status in OPEN_STATUSES and projection is not None and not projection.met


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


# ---------------------------------------------------------------------------------------------------------------
# The data, read in a fixed number of queries


@dataclass(frozen=True)
class Line:
    """One indicator in one district as the report shows it."""

    indicator: Indicator
    district: District
    assessment: progress.Assessment
    target_year: int  # the year of the final target (the plan's target year where there is none)
    word: str  # the evaluation word, without the warning mark
    warned: bool

    @property
    def completion(self):
        return self.word + (WARNING_MARK if self.warned else "")

    @property
    def status(self):
        return self.assessment.status


@dataclass(frozen=True)
class Problem:
    line: Line
    reason: str
    measures: str


@dataclass(frozen=True)
class TaskLine:
    task: Task
    report: TaskReport | None  # the latest yearly report up to the as-of year


@dataclass
class EvaluationData:
    plan: object
    as_of: int
    kind: str
    province: District
    districts: list
    indicators: list
    main: list  # Line per main indicator of the province
    lines: dict  # {(indicator_id, district_id): Line} for every pair with targets or figures
    figures: dict  # {indicator_id: {year: value}}: the province's approved figures up to as_of, main indicators
    milestones: dict  # {(indicator_id, district_id): [progress.Milestone]} in year order
    district_table: tuple  # tasks.districts.district_table's (indicators, years, rows)
    tasks: list  # TaskLine
    problems: list  # Problem
    generated: object = field(default_factory=timezone.localtime)

    def indicator_chart(self, line):
        """The indicator page's chart of a main indicator in the province, as of the report's year."""
        return charts.indicator_progress(
            indicator=line.indicator,
            base_year=self.plan.base_year,
            values=self.figures.get(line.indicator.pk, {}),
            milestones=self.milestones.get((line.indicator.pk, self.province.pk), []),
            assessment=line.assessment,
        )

    def district_charts(self):
        """{indicator_id: figure}: the 附件2 page's comparison of the districts (not the province), per metric."""
        indicators, _years, rows = self.district_table
        return {indicator.pk: chart for _id, indicator, chart in district_targets.comparison_charts(indicators, rows)}

    def status_counts(self):
        """(district name, {status: count}) as the dashboard's overview chart counts: pairs with targets or figures,
        not counting those without a target."""
        counts = {}
        for (_indicator_id, district_id), line in self.lines.items():
            if line.status != progress.NO_TARGET:
                counts.setdefault(district_id, Counter())[line.status] += 1
        return [(str(d), counts.get(d.pk, Counter())) for d in self.districts]


def gather(plan, as_of, *, pick_main=main_indicators):
    """Everything the report shows, as of the year `as_of`; about twenty queries whatever the number of figures.

    `pick_main` chooses the main indicators of section 一 from the plan's indicators (in plan order).
    """
    indicators = list(Indicator.objects.filter(plan=plan))
    districts = list(District.objects.all())
    province = next((d for d in districts if d.is_province), None)
    if province is None:
        raise ValueError("没有省级地区，无法生成评估报告。")
    assessments = assess(plan, as_of=as_of)
    milestones = {}
    for target in Target.objects.filter(indicator__plan=plan).order_by("year"):
        milestones.setdefault((target.indicator_id, target.district_id), []).append(
            progress.Milestone(target.year, target.value, target.operator, target.upper)
        )
    by_id = {i.pk: i for i in indicators}
    district_by_id = {d.pk: d for d in districts}
    lines = {}
    for key, assessment in assessments.items():
        target_year = assessment.final.year if assessment.final else plan.target_year
        lines[key] = Line(
            indicator=by_id[key[0]],
            district=district_by_id[key[1]],
            assessment=assessment,
            target_year=target_year,
            word=status_word(assessment, target_year=target_year),
            warned=warning(assessment),
        )
    main = [lines.get((i.pk, province.pk)) or _line_without_data(i, province, plan) for i in pick_main(indicators)]

    figures = {}
    for indicator_id, year, value in (
        Observation.objects.approved()
        .filter(indicator__in=[line.indicator.pk for line in main], district=province, year__lte=as_of)
        .order_by()
        .values_list("indicator_id", "year", "value")
    ):
        figures.setdefault(indicator_id, {})[year] = value

    return EvaluationData(
        plan=plan,
        as_of=as_of,
        kind=evaluation_kind(plan, as_of),
        province=province,
        districts=districts,
        indicators=indicators,
        main=main,
        lines=lines,
        figures=figures,
        milestones=milestones,
        district_table=district_targets.district_table(plan=plan, as_of=as_of, visible=districts),
        tasks=_task_lines(plan, as_of),
        problems=_problems(plan, lines, indicators, districts),
    )


def _line_without_data(indicator, district, plan):
    """A main indicator the province has neither targets nor figures for."""
    assessment = progress.assess(
        values={},
        milestones=[],
        direction=indicator.direction,
        cumulative=indicator.cumulative,
        base_year=plan.base_year,
        as_of=plan.base_year,
    )
    word = status_word(assessment, target_year=plan.target_year)
    return Line(indicator, district, assessment, plan.target_year, word, False)


def _task_lines(plan, as_of):
    """Each task with its latest yearly report up to `as_of`; two queries."""
    latest = {}
    reports = TaskReport.objects.filter(task__plan=plan, year__lte=as_of).order_by("task_id", "-year")
    for report in reports.only("task_id", "year", "status", "summary"):
        latest.setdefault(report.task_id, report)
    return [TaskLine(task, latest.get(task.pk)) for task in Task.objects.filter(plan=plan).order_by("number")]


def _problems(plan, lines, indicators, districts):
    """Every lagging, regressing or missed pair, with the reason and measures of its latest figure; one query."""
    found = [line for line in lines.values() if line.status in PROBLEM_STATUSES and line.assessment.latest]
    if not found:
        return []
    wanted = {(line.indicator.pk, line.district.pk, line.assessment.latest[0]) for line in found}
    notes = {}
    for indicator_id, district_id, year, reason, measures in (
        Observation.objects.approved()
        .filter(
            indicator__in={key[0] for key in wanted},
            district__in={key[1] for key in wanted},
            year__in={key[2] for key in wanted},
        )
        .order_by()
        .values_list("indicator_id", "district_id", "year", "reason", "measures")
    ):
        if (indicator_id, district_id, year) in wanted:
            notes[(indicator_id, district_id, year)] = (reason, measures)
    indicator_order = {i.pk: n for n, i in enumerate(indicators)}
    district_order = {d.pk: n for n, d in enumerate(districts)}
    found.sort(key=lambda line: (indicator_order[line.indicator.pk], district_order[line.district.pk]))
    problems = []
    for line in found:
        reason, measures = notes.get((line.indicator.pk, line.district.pk, line.assessment.latest[0]), ("", ""))
        problems.append(Problem(line, reason.strip(), measures.strip()))
    return problems


# ---------------------------------------------------------------------------------------------------------------
# The document

BODY_FONT = ("Times New Roman", "宋体")  # (Latin, East Asian)
HEADING_FONT = ("Times New Roman", "黑体")
HEADER_FILL = "DDE3EA"
PLACEHOLDER = "【待撰写】"
ANNEX_MARGIN = 1.5  # cm, left and right, on landscape A4
LANDSCAPE_TEXT_WIDTH = 29.7 - 2 * ANNEX_MARGIN


def build_evaluation(plan, as_of, *, pick_main=main_indicators):
    """The evaluation report of `plan` as of the year `as_of`, as .docx bytes."""
    if not plan.base_year < as_of <= plan.target_year:
        raise ValueError(f"截至年份须在 {plan.base_year + 1} 至 {plan.target_year} 之间。")
    return write_document(gather(plan, as_of, pick_main=pick_main))


def title(data):
    return title_for(data.plan, data.as_of)


def title_for(plan, as_of):
    """福建省“十四五”教育发展专项规划实施中期评估报告."""
    return f"{plan.name}实施{evaluation_kind(plan, as_of)}报告"


class _Numbers:
    """Tables and figures numbered in the order they appear."""

    def __init__(self):
        self.counts = Counter()

    def caption(self, document, kind, text):
        self.counts[kind] += 1
        return document.add_paragraph(f"{kind}{self.counts[kind]} {text}", style="Caption")


def write_document(data):
    """The .docx bytes of gathered `EvaluationData`; no queries."""
    document = Document()
    document.numbers = _Numbers()
    _set_up(document, data)
    _title_page(document, data)
    _main_indicators(document, data)
    _districts(document, data)
    _tasks(document, data)
    _problems_section(document, data)
    _next_steps(document, data)
    _annex(document, data)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _fonts(style, fonts, *, size=None, bold=None, colour=None):
    latin, east_asian = fonts
    style.font.name = latin
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = colour or RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts_element = rpr.find(qn("w:rFonts"))
    if fonts_element is None:
        fonts_element = OxmlElement("w:rFonts")
        rpr.insert(0, fonts_element)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts_element.set(qn(attribute), latin)
    fonts_element.set(qn("w:eastAsia"), east_asian)
    # The theme fonts of the default template would override the names above.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts_element.attrib.pop(qn(attribute), None)


def _set_up(document, data):
    styles = document.styles
    _fonts(styles["Normal"], BODY_FONT, size=12)
    normal = styles["Normal"]
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)
    _fonts(styles["Title"], HEADING_FONT, size=20, bold=False)
    _fonts(styles["Subtitle"], BODY_FONT, size=14)
    styles["Subtitle"].font.italic = False
    _fonts(styles["Heading 1"], HEADING_FONT, size=16, bold=False)
    _fonts(styles["Heading 2"], HEADING_FONT, size=14, bold=False)
    _fonts(styles["Heading 3"], HEADING_FONT, size=12, bold=False)
    _fonts(styles["Caption"], BODY_FONT, size=10.5, bold=False)
    for name in ("Title", "Subtitle", "Caption"):
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        styles[name].paragraph_format.space_before = Pt(12)
        styles[name].paragraph_format.space_after = Pt(6)
    # The Title style's bottom border belongs to Word's default look, not to a government report.
    title_ppr = styles["Title"].element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(border)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.5)
    _page_number(section.footer.paragraphs[0])
    properties = document.core_properties
    properties.title = title(data)
    properties.author = "planboard"
    properties.language = "zh-CN"


def _page_number(paragraph):
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text.strip() == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _paragraph(document, text, *, style=None, indent=True, bold_lead=None):
    paragraph = document.add_paragraph(style=style)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(24)
    if bold_lead:
        paragraph.add_run(bold_lead).bold = True
    paragraph.add_run(text)
    return paragraph


def _placeholder(document, text):
    """A paragraph for the official to write, marked so it cannot be missed (yellow, 【待撰写】)."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(24)
    run = paragraph.add_run(f"{PLACEHOLDER}{text}")
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return paragraph


def _title_page(document, data):
    plan = data.plan
    heading = document.add_paragraph(data.plan.name, style="Title")
    heading.add_run().add_break()
    heading.add_run(f"实施{data.kind}报告")
    document.add_paragraph(f"（{plan.base_year}—{plan.target_year}年）", style="Subtitle")
    facts = [
        ("规划名称", plan.name),
        ("规划文号", plan.document_number or "—"),
        ("评估类型", data.kind),
        ("规划期", f"{plan.base_year}年（基期）至{plan.target_year}年（目标年）"),
        ("截至年份", f"{data.as_of}年"),
        ("生成日期", f"{data.generated:%Y年%m月%d日}"),
    ]
    for label, value in facts:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(f"{label}：").bold = True
        paragraph.add_run(value)
    note = document.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = note.add_run(
        "本报告初稿由 planboard 根据审核通过的数据自动生成，指标状态按规划设定的进度阈值判断；"
        "标有“【待撰写】”的段落须由评估人员补充。"
    )
    run.font.size = Pt(10.5)
    run.font.color.rgb = RGBColor(0x61, 0x6E, 0x7C)


def _table(document, header, rows, *, widths=None, status_column=None, statuses=None, size=10.5, left=(1,)):
    """A grid table whose header row repeats on every page; `statuses` colour the `status_column` cells."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _repeat_header(head)
    for cell, text in zip(head.cells, header, strict=True):
        _cell_text(cell, text, size=size, bold=True, centre=True)
        _shade(cell, HEADER_FILL)
    for index, row in enumerate(rows):
        cells = table.add_row().cells
        for column, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _cell_text(cell, text, size=size, centre=column not in left)
            if statuses is not None and column == status_column and statuses[index] in progress.STATUS_COLOURS:
                _status_cell(cell, statuses[index])
    if widths:
        # Word reads the cells' widths, LibreOffice the grid's: set both.
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    return table


def _repeat_header(row):
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _cell_text(cell, text, *, size, bold=False, centre=False):
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.paragraph_format.first_line_indent = None
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(str(text))
    run.font.size = Pt(size)
    run.bold = bold


def _shade(cell, fill):
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _status_cell(cell, status):
    """The dashboard's status colour, with white text on the dark ones."""
    colour = progress.STATUS_COLOURS[status].lstrip("#").upper()
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
    _shade(cell, colour)
    if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.5:
        for run in cell.paragraphs[0].runs:
            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def _picture(document, png, caption):
    document.add_picture(io.BytesIO(png), width=Cm(15.5))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.numbers.caption(document, "图", caption)


def _value(line, value):
    return figure(value, line.indicator.decimals) if value is not None else "—"


def _main_indicators(document, data):
    plan = data.plan
    document.add_heading("一、主要指标完成情况", level=1)
    summary = count_summary([line.word for line in data.main])
    warned = sum(line.warned for line in data.main)
    sentence = f"截至{data.as_of}年，全省{summary}"
    if warned:
        sentence += f"其中{warned}项进度虽不滞后，但按近年趋势推算到目标年份难以实现目标，列为预警。"
    _paragraph(document, sentence)
    header = [
        "序号",
        "指标",
        "单位",
        "属性",
        f"基期值（{plan.base_year}年）",
        "目标值",
        "实际值",
        "实际值年份",
        "完成情况",
    ]
    rows = []
    for number, line in enumerate(data.main, start=1):
        a = line.assessment
        target = milestone(a.final)
        if a.final and a.final.year != plan.target_year:
            target += f"（{a.final.year}年）"
        rows.append(
            [
                number,
                line.indicator.name,
                line.indicator.unit or "—",
                line.indicator.attribute or "—",
                _value(line, a.baseline[1] if a.baseline else None),
                target,
                _value(line, a.latest[1] if a.latest else None),
                f"{a.latest[0]}年" if a.latest else "—",
                line.completion,
            ]
        )
    document.numbers.caption(document, "表", f"主要指标完成情况（全省，截至{data.as_of}年）")
    _table(
        document,
        header,
        rows,
        widths=[1.0, 4.2, 1.2, 1.3, 1.8, 1.6, 1.6, 1.6, 2.2],
        status_column=8,
        statuses=[line.status for line in data.main],
        size=9,
    )
    _paragraph(
        document,
        "注：实际值为截至评估年份最近一年审核通过的数据；完成情况按规划设定的进度阈值判断，目标年份前已达到"
        f"最终目标的为“提前实现”。{WARNING_NOTE}",
        indent=False,
    ).runs[0].font.size = Pt(9)

    document.add_heading("（一）各地区指标进展状态", level=2)
    _paragraph(document, "各地区按自身的分解目标判断；全省含全部指标，设区市及平潭仅含有分解目标的指标。")
    _picture(
        document,
        chart_images.render_png(charts.status_by_district(data.status_counts())),
        f"各地区指标进展状态（截至{data.as_of}年）",
    )
    document.add_heading("（二）主要指标进展趋势（全省）", level=2)
    for line in data.main:
        if line.assessment.latest is None and line.assessment.final is None:
            continue
        chart = data.indicator_chart(line)
        _picture(document, chart_images.render_png(chart), f"{line.indicator.name}：{line.completion}")


def _districts(document, data):
    plan = data.plan
    document.add_heading("二、分地区完成情况", level=1)
    indicators, years, rows = data.district_table
    if not indicators:
        _paragraph(document, "本规划没有分地区目标（附件2）。")
        return
    _paragraph(
        document,
        f"规划附件2对{len(indicators)}项指标分解了各地区目标。截至{data.as_of}年各地区完成情况如下"
        "（完成情况按各地区自身的目标判断）。",
    )
    comparison = data.district_charts()
    for number, indicator in enumerate(indicators, start=1):
        column = number - 1
        document.add_heading(f"（{_chinese_number(number)}）{indicator.name}", level=2)
        header = ["地区", f"基期值（{plan.base_year}年）"] + [f"{y}年目标" for y in years] + ["实际值", "完成情况"]
        table_rows, statuses = [], []
        for district, cells in rows:
            cell = cells[column]
            a = cell.assessment
            target_year = a.final.year if a and a.final else plan.target_year
            word = completion(a, target_year=target_year) if a else "—"
            actual = "—"
            if a and a.latest:
                actual = f"{figure(a.latest[1], indicator.decimals)}（{a.latest[0]}年）"
            table_rows.append(
                [str(district), figure(cell.baseline, indicator.decimals) if cell.baseline is not None else "—"]
                + [t.display if t else "—" for t in cell.targets]
                + [actual, word]
            )
            statuses.append(a.status if a else None)
        document.numbers.caption(document, "表", f"{indicator.name}分地区完成情况（{indicator.unit}）")
        _table(document, header, table_rows, status_column=len(header) - 1, statuses=statuses, size=9, left=())
        chart = comparison[indicator.pk]
        if chart["data"] and any(trace.get("x") for trace in chart["data"]):
            _picture(document, chart_images.render_png(chart), f"{indicator.name}：各地区最新实际值与本地区目标")


def _chinese_number(number):
    digits = "零一二三四五六七八九"
    if number <= 10:
        return "十" if number == 10 else digits[number]
    if number < 20:
        return "十" + digits[number - 10]
    return digits[number // 10] + "十" + (digits[number % 10] if number % 10 else "")


def _tasks(document, data):
    document.add_heading("三、主要任务推进情况", level=1)
    labels = dict(TaskStatus.choices)
    words = [str(labels[t.report.status]) if t.report else NOT_REPORTED for t in data.tasks]
    counted = Counter(words)
    order = [str(labels[s]) for s in TaskStatus.values] + [NOT_REPORTED]
    parts = [f"{word}{counted[word]}项" for word in order if counted[word]]
    if data.tasks:
        _paragraph(
            document,
            f"规划附件1共{len(data.tasks)}项主要任务。截至{data.as_of}年，" + "，".join(parts) + "。"
            "进展状态取各任务截至该年最近一次年度报送。",
        )
    else:
        _paragraph(document, "本规划没有载入主要任务清单。")
        return
    rows = []
    for line, word in zip(data.tasks, words, strict=True):
        task, report = line.task, line.report
        status = word
        if report and report.year != data.as_of:
            status += f"（{report.year}年）"
        rows.append(
            [
                task.number,
                task.title or "（原文缺失）",
                task.department or "—",
                status,
                report.summary.strip() if report else "—",
            ]
        )
    document.numbers.caption(document, "表", "主要任务推进情况")
    _table(
        document,
        ["序号", "任务", "责任单位", "进展状态", "进展情况"],
        rows,
        widths=[1.0, 4.5, 2.8, 2.2, 5.5],
        size=9,
        left=(1, 4),
    )


def _problems_section(document, data):
    document.add_heading("四、存在的主要问题", level=1)
    if not data.problems:
        _paragraph(document, f"截至{data.as_of}年，没有滞后、倒退或未实现的指标。")
        return
    words = Counter(problem.line.word for problem in data.problems)
    parts = [f"{word}{words[word]}项" for word in WORD_ORDER if words[word]]
    _paragraph(
        document,
        f"截至{data.as_of}年，共有{len(data.problems)}项指标（按地区计）进展不及预期：" + "，".join(parts) + "。"
        "以下逐项列出实际情况及填报单位对最近一年数据填写的原因分析和整改措施。",
    )
    for number, problem in enumerate(data.problems, start=1):
        line = problem.line
        document.add_heading(
            f"（{_chinese_number(number)}）{line.indicator.name}（{line.district.name}）：{line.completion}", level=2
        )
        _paragraph(document, str(line.assessment.explanation) + "。", bold_lead="进展情况：")
        _paragraph(document, problem.reason or "（未填写）", bold_lead="原因分析：")
        _paragraph(document, problem.measures or "（未填写）", bold_lead="整改措施：")


NEXT_STEPS = [
    ("（一）加快推进滞后指标", "针对上文所列滞后、倒退和未实现的指标，提出具体措施、责任单位和完成时限。"),
    ("（二）巩固已实现指标", "说明如何保持已实现和快于预期指标的成果，防止回落。"),
    ("（三）推进主要任务落实", "针对未报送或进展滞后的主要任务，提出督促落实的安排。"),
    ("（四）完善监测评估机制", "就数据报送、审核和年度监测提出改进建议。"),
]


def _next_steps(document, data):
    document.add_heading("五、下一步工作建议", level=1)
    if data.kind == "总结评估":
        _placeholder(document, "总结规划实施的主要经验，并对下一个五年规划的编制提出建议。")
    for heading, prompt in NEXT_STEPS:
        document.add_heading(heading, level=2)
        _placeholder(document, prompt)


def _annex(document, data):
    """附表: every indicator in every district, landscape."""
    section = document.add_section()
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.left_margin = section.right_margin = Cm(ANNEX_MARGIN)
    document.add_heading("附表 各地区指标完成情况", level=1)
    _paragraph(
        document,
        f"截至{data.as_of}年，全部{len(data.indicators)}项指标在各地区的完成情况；"
        "“—”表示该地区既无目标也无数据。" + WARNING_NOTE,
        indent=False,
    )
    shown = [d for d in data.districts if any((i.pk, d.pk) in data.lines for i in data.indicators)]
    header = ["序号", "出处", "指标"] + [str(d) for d in shown]
    rows = []
    for number, indicator in enumerate(data.indicators, start=1):
        row = [number, indicator.section, indicator.name]
        for district in shown:
            line = data.lines.get((indicator.pk, district.pk))
            row.append(line.completion if line else "—")
        rows.append(row)
    document.numbers.caption(document, "表", f"各地区指标完成情况（截至{data.as_of}年）")
    rest = (LANDSCAPE_TEXT_WIDTH - 1.0 - 1.4 - 5.0) / max(len(shown), 1)
    _table(document, header, rows, widths=[1.0, 1.4, 5.0] + [rest] * len(shown), size=7.5, left=(2,))
