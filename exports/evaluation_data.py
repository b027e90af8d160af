"""What the evaluation report shows, read in a fixed number of queries (`gather`); nothing here writes Word."""

from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards import charts
from dashboards import district_table as district_targets
from exports.evaluation_words import PROBLEM_STATUSES, WARNING_MARK, status_word, warning
from figures.assessments import assess
from figures.models import Observation
from plans import progress
from plans.chains import showing
from plans.models import District, Indicator, Target, Task, milestones_of
from tasks.models import TaskReport


def main_indicators(indicators):
    """The plan's main indicators among `indicators` (in plan order): those it lists as main (`Indicator.is_main`,
    the 主要指标 of the plan's workbook), or all if it lists none."""
    indicators = list(indicators)
    return [i for i in indicators if i.is_main] or indicators


def evaluation_kind(plan, as_of):
    """中期评估 before the plan's target year, 总结评估 in it."""
    return _("中期评估") if as_of < plan.target_year else _("总结评估")


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
        return self.word + (str(WARNING_MARK) if self.warned else "")

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
    district_table: tuple  # dashboards.district_table.district_table's (indicators, years, rows)
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
    milestones = milestones_of(Target.objects.filter(indicator__plan=plan))
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
    shown_as = showing([line.indicator for line in main])
    for indicator_id, year, value in (
        Observation.objects.approved()
        .filter(indicator__in=list(shown_as), district=province, year__gte=plan.base_year, year__lte=as_of)
        .order_by()
        .values_list("indicator_id", "year", "value")
    ):
        figures.setdefault(shown_as[indicator_id], {})[year] = value

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
    shown_as = showing([line.indicator for line in found])
    notes = {}
    for stored_on, district_id, year, reason, measures in (
        Observation.objects.approved()
        .filter(
            indicator__in=list(shown_as),
            district__in={key[1] for key in wanted},
            year__in={key[2] for key in wanted},
        )
        .order_by()
        .values_list("indicator_id", "district_id", "year", "reason", "measures")
    ):
        indicator_id = shown_as[stored_on]
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
