import io
import tempfile

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import excel, reports, services, submissions
from indicators.forms import EntryGrid, ReviewForm, ReviewStepForm, UploadForm
from indicators.models import District, Indicator, Observation, ObservationStatus, Plan, ReportingYear
from indicators.tables import ValuesTable


def _current_plan():
    plan = Plan.objects.current()
    if plan is None:
        raise Http404("尚未载入规划。")
    return plan


def _year(request, plan):
    """The as-of year of `?year=`, by default the latest with approved figures; a year outside the plan is 404."""
    try:
        return reports.chosen_year(plan, request.GET.get("year"))
    except ValidationError:
        raise Http404("没有该年份。") from None


def dashboard(request):
    plan = _current_plan()
    visible = reports.visible_districts(request.user)
    district = reports.chosen_district(visible, request.GET.get("district"))
    year = _year(request, plan)
    standing = reports.PlanProgress(plan, as_of=year, districts=[district])
    overview = reports.StatusOverview(plan, as_of=year, districts=visible)
    statuses, status_rows = overview.table()
    context = {
        "plan": plan,
        "district": district,
        "year": year,
        "years": reports.years(plan),
        "districts": visible,
        "rows": standing.rows(district),
        "counts": standing.counts(district),
        "status_chart": overview.chart(),
        "chart_statuses": statuses,
        "chart_rows": status_rows,
    }
    return render(request, "indicators/dashboard.html", context)


def indicator_detail(request, code):
    plan = _current_plan()
    indicator = get_object_or_404(Indicator.objects.select_related("task"), plan=plan, code=code)
    visible = reports.visible_districts(request.user)
    district = reports.chosen_district(visible, request.GET.get("district"))
    year = _year(request, plan)
    report = reports.IndicatorProgress(plan, indicator, as_of=year, districts=visible)
    context = {
        "plan": plan,
        "indicator": indicator,
        "district": district,
        "year": year,
        "years": reports.years(plan),
        "districts": visible,
        "assessment": report.assessment(district),
        "path": report.path(district),
        "chart": report.chart(district),
        "comparison": report.comparison(),
        "comparison_chart": report.comparison_chart(),
        "table": ValuesTable.for_indicator(report),
    }
    return render(request, "indicators/indicator_detail.html", context)


def district_detail(request, code):
    plan = _current_plan()
    visible = reports.visible_districts(request.user)
    district = reports.chosen_district(visible, code)
    year = _year(request, plan)
    standing = reports.PlanProgress(plan, as_of=year, districts=[district])
    context = {
        "plan": plan,
        "district": district,
        "year": year,
        "years": reports.years(plan),
        "districts": visible,
        "rows": standing.rows(district),
        "counts": standing.counts(district),
    }
    return render(request, "indicators/district_detail.html", context)


# Entering and reviewing figures. Every write goes through services; these views scope, call and render.


def _require(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied(_("您的角色没有此权限。"))


def _year_param(request, plan, default):
    try:
        return int(request.GET.get("year", default))
    except ValueError:
        return default


def report_index(request):
    plan = _current_plan()
    districts = services.enterable_districts(request.user)
    if not districts.exists():
        raise PermissionDenied(_("您的角色不填报数据。"))
    years = services.allowed_years(plan, request.user)
    rows = submissions.entry_overview(plan, districts, years)
    return render(request, "indicators/entry_index.html", {"plan": plan, "rows": rows, "years": years})


def entry_grid(request, code, year):
    plan = _current_plan()
    district = get_object_or_404(District.objects.visible_to(request.user), code=code)
    if not services.can_enter(request.user, district):
        raise PermissionDenied(_("您没有填报该地区数据的权限。"))
    if year not in services.allowed_years(plan, request.user):
        raise Http404(_("该年度不可填报。"))
    grid = EntryGrid(plan=plan, district=district, year=year, data=request.POST or None)
    if request.method == "POST" and grid.save(by=request.user, action=request.POST.get("action")):
        messages.success(request, _("已保存 %(n)d 项数据。") % {"n": len(grid.saved)})
        return redirect(request.path)
    return render(request, "indicators/entry_grid.html", {"plan": plan, "grid": grid})


def review_list(request):
    _require(request.user, "indicators.review_observation")
    plan = _current_plan()
    pending = (
        Observation.objects.filter(indicator__plan=plan, status=ObservationStatus.SUBMITTED)
        .with_previous()
        .select_related("indicator", "district", "entered_by")
        .order_by("year", "district__order", "indicator__order")
    )
    form = ReviewForm(request.POST or None, queryset=pending)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = services.review_many(
                observations=data["selected"],
                step=data["step"],
                by=request.user,
                comment=data["comment"],
                versions=form.versions,
            )
        except services.Conflict as conflict:
            messages.error(request, str(conflict))
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            messages.success(request, _("已处理 %(n)d 项数据。") % {"n": len(done)})
            return redirect(request.get_full_path())
    return render(request, "indicators/review_list.html", {"plan": plan, "pending": pending, "form": form})


def review_completeness(request):
    _require(request.user, "indicators.review_observation")
    plan = _current_plan()
    years = services.allowed_years(plan, request.user)
    year = _year_param(request, plan, years[-1])
    if year not in years:
        raise Http404(_("没有该年度。"))
    rows = submissions.missing_figures(plan, District.objects.all(), year)
    return render(
        request, "indicators/review_completeness.html", {"plan": plan, "year": year, "years": years, "rows": rows}
    )


def observation_history(request, pk):
    observation = get_object_or_404(
        Observation.objects.visible_to(request.user).select_related("indicator", "district", "entered_by"), pk=pk
    )
    form = ReviewStepForm(initial={"version": observation.version})
    context = {"observation": observation, "records": submissions.history_of(observation), "form": form}
    return render(request, "indicators/observation_history.html", context)


REVIEW_STEPS = {"approve": services.approve, "return": services.return_for_revision, "reopen": services.reopen}


@require_POST
def observation_review(request, pk, step):
    observation = get_object_or_404(Observation.objects.visible_to(request.user), pk=pk)
    if step not in REVIEW_STEPS:
        raise Http404(_("没有这个操作。"))
    _require(request.user, "indicators.review_observation")
    form = ReviewStepForm(request.POST)
    if not form.is_valid():
        raise BadRequest(_("请求不完整，请刷新页面后重试。"))
    try:
        REVIEW_STEPS[step](observation=observation, by=request.user, **form.cleaned_data)
    except (services.Conflict, ValidationError) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
    return redirect("indicators:observation-history", pk=pk)


@require_POST
def observation_restore(request, pk, history_id):
    observation = get_object_or_404(Observation.objects.visible_to(request.user), pk=pk)
    record = get_object_or_404(observation.history, history_id=history_id)
    try:
        services.restore(observation=observation, record=record, by=request.user, version=request.POST.get("version"))
    except services.Conflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, _("已恢复为第%(version)d版。") % {"version": record.version})
    return redirect("indicators:observation-history", pk=pk)


def year_locks(request):
    _require(request.user, "indicators.lock_year")
    plan = _current_plan()
    locks = {y.year: y for y in ReportingYear.objects.filter(plan=plan).select_related("locked_by")}
    years = [(year, locks.get(year)) for year in range(plan.base_year, plan.target_year + 1)]
    return render(request, "indicators/year_locks.html", {"plan": plan, "years": years})


@require_POST
def year_lock(request, year, locked):
    try:
        services.lock_year(plan=_current_plan(), year=year, by=request.user, locked=locked)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
    else:
        messages.success(request, (_("%(year)d年度已锁定。") if locked else _("%(year)d年度已解锁。")) % {"year": year})
    return redirect("indicators:year-locks")


# Excel: the report, the fill-in template and uploads with a preview. indicators/excel.py does the work.


def export_form(request):
    _require(request.user, "indicators.export_report")
    plan = _current_plan()
    districts = reports.visible_districts(request.user)
    context = {"plan": plan, "years": reports.years(plan), "year": _year(request, plan), "districts": districts}
    return render(request, "indicators/export_form.html", context)


def export_report(request):
    _require(request.user, "indicators.export_report")
    plan = _current_plan()
    year = _year(request, plan)
    code = request.GET.get("district")
    district = reports.chosen_district(reports.visible_districts(request.user), code) if code else None
    out = tempfile.TemporaryFile()
    excel.write_report(out, plan=plan, user=request.user, year=year, district=district)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=excel.report_filename(plan, year, district))


def import_template(request):
    plan = _current_plan()
    years = services.allowed_years(plan, request.user)
    # Figures are reported for the year just ended.
    year = _year_param(request, plan, max(years[0], min(years[-1], timezone.localdate().year - 1)))
    if year not in years:
        raise Http404(_("该年度不可填报。"))
    code = request.GET.get("district")
    district = get_object_or_404(District.objects.visible_to(request.user), code=code) if code else None
    districts = excel.template_districts(request.user, district)
    if not districts:
        raise PermissionDenied(_("您没有可填报的地区。"))
    out = io.BytesIO()
    excel.write_template(out, plan=plan, year=year, districts=districts)
    name = f"{plan.name}-{districts[0].short_name if district else ''}{year}年填报模板.xlsx"
    return FileResponse(io.BytesIO(out.getvalue()), as_attachment=True, filename=name)


def import_upload(request):
    plan = _current_plan()
    districts = excel.upload_districts(request.user)
    if not districts:
        raise PermissionDenied(_("您没有可填报的地区。"))
    form = UploadForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        upload, action = form.cleaned_data["file"], form.cleaned_data["action"]
        data = upload.read(excel.MAX_BYTES + 1)
        try:
            excel.preview_upload(data, upload.name, plan=plan, user=request.user, action=action)
        except excel.BadFile as bad:
            form.add_error("file", str(bad))
        else:
            excel.stash_upload(request.session, request.user, data, upload.name, action)
            return redirect("indicators:import-preview")
    years = services.allowed_years(plan, request.user)
    context = {"plan": plan, "form": form, "districts": districts, "years": years, "year": years[-1]}
    return render(request, "indicators/import_upload.html", context)


def import_preview(request):
    plan = _current_plan()
    stashed = excel.stashed_upload(request.session, request.user)
    if stashed is None:
        messages.error(request, _("没有待确认的文件，请重新上传。"))
        return redirect("indicators:import")
    data, name, action = stashed
    try:
        preview = excel.preview_upload(data, name, plan=plan, user=request.user, action=action)
    except excel.BadFile as bad:
        messages.error(request, str(bad))
        return redirect("indicators:import")
    return render(request, "indicators/import_preview.html", {"plan": plan, "preview": preview, "action": action})


@require_POST
def import_confirm(request):
    plan = _current_plan()
    stashed = excel.stashed_upload(request.session, request.user)
    if stashed is None:
        messages.error(request, _("没有待确认的文件，请重新上传。"))
        return redirect("indicators:import")
    data, name, action = stashed
    try:
        saved = excel.save_upload(data, name, plan=plan, user=request.user, action=action)
    except (excel.BadFile, excel.UploadRejected) as refused:
        messages.error(request, _("未导入任何数据：") + "；".join(getattr(refused, "errors", [str(refused)])))
        return redirect("indicators:import-preview")
    excel.drop_upload(request.session, request.user)
    changed = sum(row.change != "unchanged" for row in saved)
    messages.success(request, _("已导入 %(n)d 行，其中 %(changed)d 行有变化。") % {"n": len(saved), "changed": changed})
    return redirect("indicators:import")
