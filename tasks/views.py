from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dashboards import district_table as districts
from dashboards import overviews
from dashboards.cache import cached, data_version
from figures import access, sum_checks
from figures.assessments import assess
from figures.pipeline import Conflict
from plans.models import District, Indicator, Target, Task, TextTarget
from tasks import services
from tasks.filters import TaskFilter
from tasks.forms import TaskReportForm
from tasks.models import TaskReport, with_year_status
from tasks.tables import KeyProjectTable, TaskTable, TextTargetTable, configure


def chosen_year(request, plan):
    """`?year=` of the task pages and API: the as-of year of their statuses, by default the one every page uses."""
    return overviews.chosen_year_or_404(plan, request.GET.get("year"), version=data_version(request))


def _province_statuses(plan, year, indicators, province):
    assessments = assess(plan, as_of=year, indicators=indicators, districts=[province])
    return {indicator_id: a for (indicator_id, _d), a in assessments.items()}


def task_list(request):
    plan = request.plan
    year = chosen_year(request, plan)
    tasks = with_year_status(Task.objects.filter(plan=plan), year).prefetch_related("indicators")
    task_filter = TaskFilter(request.GET, queryset=tasks, plan=plan)
    linked = Indicator.objects.filter(plan=plan, task__isnull=False)
    statuses = {pk: a.status for pk, a in _province_statuses(plan, year, linked, District.objects.province()).items()}
    table = TaskTable(task_filter.qs, statuses=statuses, order_by="number")
    configure(request, table, per_page=25)
    context = {"plan": plan, "year": year, "years": services.report_years(plan), "filter": task_filter}
    return render(request, "tasks/task_list.html", {**context, "table": table})


def task_detail(request, number):
    plan = request.plan
    task = get_object_or_404(Task.objects.filter(plan=plan), number=number)
    return _render_detail(request, plan, task, chosen_year(request, plan))


@require_POST
def task_report(request, number, year):
    """Enter or change a task's report for a year (POST); the form comes back with its errors if rejected."""
    plan = request.plan
    task = get_object_or_404(Task.objects.filter(plan=plan), number=number)
    if not services.can_report(request.user):
        raise PermissionDenied(_("您没有填报任务进展的权限。"))
    if year not in services.report_years(plan):
        raise Http404(_("该年度不可填报。"))
    form = TaskReportForm(request.POST, request.FILES, instance=task.reports.filter(year=year).first())
    if form.is_valid():
        try:
            services.save_task_report(task=task, year=year, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("%(year)d年度任务进展已保存。") % {"year": year})
            return redirect(f"{reverse('tasks:detail', args=[task.number])}?year={year}")
    return _render_detail(request, plan, task, year, form=form, status=400)


def _render_detail(request, plan, task, year, *, form=None, status=200):
    province = District.objects.province()
    indicators = task.indicators.prefetch_related(
        Prefetch("targets", queryset=Target.objects.filter(district=province), to_attr="province_targets")
    )
    assessments = _province_statuses(plan, year, indicators, province)
    reports = task.reports.select_related("entered_by")
    may_report = services.can_report(request.user) and not plan.is_read_only()
    if may_report and form is None and year in services.report_years(plan):
        form = TaskReportForm(instance=next((r for r in reports if r.year == year), None))
    context = {
        "plan": plan,
        "task": task,
        "year": year,
        "years": services.report_years(plan),
        "items": task.items.all(),
        "indicators": [(i, assessments.get(i.pk)) for i in indicators],
        "text_targets": task.text_targets.select_related("same_as").order_by("year", "code"),
        "reports": reports,
        "history": TaskReport.history.filter(task_id=task.pk).select_related("history_user")[:50],
        "form": form if may_report else None,
    }
    return render(request, "tasks/task_detail.html", context, status=status)


def task_evidence(request, number, year):
    """The evidence file of a report, to logged-in users only (uploads are never public files)."""
    report = get_object_or_404(TaskReport.objects.filter(task__plan=request.plan), task__number=number, year=year)
    if not report.evidence_file:
        raise Http404(_("没有佐证材料。"))
    return FileResponse(report.evidence_file.open("rb"), as_attachment=True)


def district_targets(request):
    plan = request.plan
    year = chosen_year(request, plan)
    visible = list(access.visible_districts(request.user))

    def compute():
        metrics, target_years, rows = districts.district_table(plan=plan, as_of=year, visible=visible)
        return metrics, target_years, rows, districts.comparison_charts(metrics, rows)

    version = data_version(request)
    metrics, target_years, rows, charts = cached(
        "district-targets", compute, version=version, plan=plan, as_of=year, districts=visible
    )
    mismatches = None
    if request.user.has_perm("figures.review_observation"):
        mismatches = sum_checks.sum_mismatches(plan=plan, indicators=metrics)
    context = {
        "plan": plan,
        "year": year,
        "years": services.report_years(plan),
        "metrics": metrics,
        "target_years": target_years,
        "rows": rows,
        "charts": charts,
        "mismatches": mismatches,
    }
    return render(request, "tasks/district_targets.html", context)


def key_projects(request):
    plan = request.plan
    year = chosen_year(request, plan)
    province = District.objects.province()
    indicators = (
        Indicator.objects.filter(plan=plan)
        .exclude(is_main=True)
        .exclude(sum_check=True)
        .select_related("task")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.filter(district=province), to_attr="province_targets")
        )
    )
    table = KeyProjectTable(indicators, assessments=_province_statuses(plan, year, indicators, province))
    configure(request, table, per_page=50)
    text_table = TextTargetTable(TextTarget.objects.filter(plan=plan).select_related("task"), prefix="text-")
    configure(request, text_table, per_page=50)
    context = {"plan": plan, "year": year, "years": services.report_years(plan), "table": table}
    return render(request, "tasks/key_projects.html", {**context, "text_table": text_table})
