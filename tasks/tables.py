import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django_tables2 import A

from plans import progress
from plans.models import Indicator, Task, TextTarget

# Template columns include their partial rather than name it: a named template is rendered with the request,
# which runs the context processors (two queries) again for every cell.
INCLUDE = '{{% include "{}" %}}'

# However many rows ?per_page= asks for, a page shows at most this many.
MOST_PER_PAGE = 500


def configure(request, table, *, per_page):
    """django-tables2's RequestConfig (sorting, ?page=), reading ?per_page= only when it is a whole number from 1 to
    MOST_PER_PAGE: anything else in the address shows the usual page size, not a server error."""
    tables.RequestConfig(request, paginate=False).configure(table)
    asked = request.GET.get(table.prefixed_per_page_field, "")
    if asked.isascii() and asked.isdigit() and 1 <= int(asked) <= MOST_PER_PAGE:
        per_page = int(asked)
    try:
        table.paginate(page=request.GET.get(table.prefixed_page_field, 1), per_page=per_page)
    except PageNotAnInteger:
        table.page = table.paginator.page(1)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)


# The pages rows link to, by URL name: the plans' models name no page of the apps above them.
TASK_PAGE = ("tasks:detail", [A("number")])
LINKED_TASK_PAGE = ("tasks:detail", [A("task__number")])


class TaskTable(tables.Table):
    number = tables.Column(verbose_name=_("序号"), linkify=TASK_PAGE, attrs={"td": {"class": "num"}})
    title = tables.TemplateColumn(
        template_code=INCLUDE.format("tasks/includes/task_title.html"), verbose_name=_("任务")
    )
    department = tables.Column(verbose_name=_("责任单位"), default="—")
    year_status = tables.TemplateColumn(
        template_code=INCLUDE.format("tasks/includes/task_status_cell.html"),
        verbose_name=_("本年度进展"),
        order_by=("status_rank", "number"),
    )
    indicators = tables.Column(verbose_name=_("关联指标进展"), empty_values=(), orderable=False)

    class Meta:
        model = Task
        fields = ["number", "category", "title", "department", "year_status", "indicators"]
        attrs = {"class": "data", "id": "task-table"}

    def __init__(self, *args, statuses, **kwargs):
        """`statuses` are the province statuses {indicator_id: status code} that `Plan.assess` gave."""
        super().__init__(*args, **kwargs)
        self.statuses = statuses

    def render_indicators(self, record):
        rows = [(i, self.statuses.get(i.pk, progress.NO_DATA)) for i in record.indicators.all()]
        return render_to_string("tasks/includes/indicator_statuses.html", {"rows": rows})


class KeyProjectTable(tables.Table):
    """Quantified key-project targets, each with its province progress from `Plan.assess`."""

    section = tables.Column(verbose_name=_("出处"))
    group = tables.Column(verbose_name=_("重点项目"), default="—")
    name = tables.Column(verbose_name=_("目标"), linkify=("dashboards:indicator", [A("code")]))
    targets = tables.TemplateColumn(
        template_code=INCLUDE.format("tasks/includes/province_targets.html"),
        verbose_name=_("目标值（年份）"),
        orderable=False,
    )
    unit = tables.Column(verbose_name=_("单位"))
    task = tables.Column(verbose_name=_("所属任务"), linkify=LINKED_TASK_PAGE, order_by=("task__number",), default="—")
    progress = tables.TemplateColumn(
        template_code=INCLUDE.format("tasks/includes/assessment_cells.html"),
        verbose_name=_("进展"),
        orderable=False,
        empty_values=(),
        extra_context=lambda record, table: {"assessment": table.assessments.get(record.pk)},
    )

    class Meta:
        model = Indicator
        fields = ["section", "group", "name", "targets", "unit", "task", "progress"]
        attrs = {"class": "data", "id": "key-project-table"}
        order_by = ("section", "order")

    def __init__(self, *args, assessments, **kwargs):
        """`assessments` are the province verdicts {indicator_id: progress.Assessment}."""
        super().__init__(*args, **kwargs)
        self.assessments = assessments

    def render_name(self, record):
        return record.display_name

    def render_unit(self, record):
        return record.display_unit

    def render_task(self, value):
        return f"{value.number}. {value.display_title or _('（原文缺失）')}"


class TextTargetTable(tables.Table):
    section = tables.Column(verbose_name=_("出处"))
    project = tables.Column(verbose_name=_("重点项目"), default="—")
    text = tables.Column(verbose_name=_("目标表述"))
    year = tables.Column(verbose_name=_("年份"))
    task = tables.Column(verbose_name=_("所属任务"), linkify=LINKED_TASK_PAGE, order_by=("task__number",), default="—")
    untracked_reason = tables.Column(verbose_name=_("不量化跟踪的原因"), orderable=False)

    class Meta:
        model = TextTarget
        fields = ["section", "project", "text", "year", "task", "untracked_reason"]
        attrs = {"class": "data", "id": "text-target-table"}

    def render_task(self, value):
        return f"{value.number}. {value.display_title or _('（原文缺失）')}"

    def render_untracked_reason(self, record):
        return record.untracked_reason_label
