"""Entering, reviewing and uploading figures. Every write goes through the pipeline; views scope, call and render."""

import io

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from figures import (
    access,
    excel_files,
    excel_import,
    excel_template,
    locks,
    pipeline,
    review,
    review_page,
    rounds,
    submissions,
)
from figures.forms import EntryGrid, ReviewFilters, ReviewForm, ReviewStepForm, UploadForm
from figures.models import Observation, ObservationStatus, ReportingYear
from plans.shortcuts import require, year_or_404
from plans.years import this_year


def entry_index(request):
    plan = request.plan
    districts = access.enterable_districts(request.user)
    if not districts.exists():
        raise PermissionDenied(_("您的角色不填报数据。"))
    years = access.allowed_years(plan, request.user)
    rows = submissions.entry_overview(plan, districts, years)
    open_rounds = rounds.open_rounds(plan)
    for r in open_rounds:
        r.words = rounds.deadline_words(r.deadline)
    context = {"plan": plan, "rows": rows, "years": years, "rounds": open_rounds}
    return render(request, "figures/entry_index.html", context)


def entry_grid(request, code, year):
    plan = request.plan
    district = get_object_or_404(access.visible_districts(request.user), code=code)
    if not access.can_enter(request.user, district):
        raise PermissionDenied(_("您没有填报该地区数据的权限。"))
    if year not in access.allowed_years(plan, request.user):
        raise Http404(_("该年度不可填报。"))
    grid = EntryGrid(plan=plan, district=district, year=year, data=request.POST or None)
    if request.method == "POST":
        done = grid.save(by=request.user, action=request.POST.get("action"))
        # A draft with bad cells saves the others: say so on the page that shows the bad ones.
        submitted = len(grid.submitted)
        if submitted:
            messages.success(
                request, ngettext("已提交审核 %(n)d 项。", "已提交审核 %(n)d 项。", submitted) % {"n": submitted}
            )
        if len(grid.saved) - submitted:
            drafts = len(grid.saved) - submitted
            messages.success(
                request, ngettext("已保存草稿 %(n)d 项。", "已保存草稿 %(n)d 项。", drafts) % {"n": drafts}
            )
        for warning in grid.warnings:
            messages.warning(request, warning)
        if done:
            if not grid.saved:
                messages.info(request, _("没有需要保存的变化。"))
            return redirect(request.path)
    deadline = rounds.deadlines(plan, [year]).get(year)
    context = {"plan": plan, "grid": grid, "deadline": deadline}
    if deadline:
        context["deadline_words"] = rounds.deadline_words(deadline)
    return render(request, "figures/entry_grid.html", context)


def review_list(request):
    require(request.user, "figures.review_observation")
    plan = request.plan
    pending = review.awaiting(request.user, Observation.objects.shown_in(plan))
    # The reviewer's own submitted figures are listed too, without a tick box: another reviewer approves them.
    own = Observation.objects.shown_in(plan).filter(
        status__in=(ObservationStatus.SUBMITTED, ObservationStatus.CITY_APPROVED), entered_by=request.user
    )
    listed = (
        (pending | own)
        .select_related("indicator", "district", "entered_by")
        .prefetch_related("entered_by__districts")
        .order_by("year", "district__order", "indicator__order")
    )
    form = ReviewForm(request.POST or None, queryset=pending)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = review.review_many(
                observations=data["selected"],
                step=data["step"],
                by=request.user,
                comment=data["comment"],
                versions=form.versions,
            )
        except pipeline.Conflict as conflict:
            messages.error(request, str(conflict))
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            messages.success(
                request, ngettext("已处理 %(n)d 项数据。", "已处理 %(n)d 项数据。", len(done)) % {"n": len(done)}
            )
            return redirect(request.get_full_path())
    filters = ReviewFilters(request.GET, plan=plan)
    shown = filters.keep(review_page.annotate(plan, list(filters.filter(listed))))
    # A figure of a locked year (or a closed plan's) is listed without the steps the lock would refuse.
    locked = locks.locked_years({o.indicator_id for o in shown})
    for o in shown:
        o.locked = o.year in locked[o.indicator_id]
    context = {
        "plan": plan,
        "pending": shown,
        "form": form,
        "filters": filters,
        "levels": review.levels_note(plan, request.user),
    }
    return render(request, "figures/review_list.html", context)


def review_completeness(request):
    # Leaders read it too (who has not reported yet), without any action on it.
    if not access.sees_every_district(request.user):
        require(request.user, "figures.review_observation")
    plan = request.plan
    years = access.allowed_years(plan, request.user)
    year = year_or_404(request.GET.get("year"), years, default=years[-1])
    rows = submissions.missing_figures(plan, access.visible_districts(request.user), year)
    return render(
        request, "figures/review_completeness.html", {"plan": plan, "year": year, "years": years, "rows": rows}
    )


def observation_history(request, pk):
    observation = get_object_or_404(
        Observation.objects.visible_to(request.user)
        .shown_in(request.plan)
        .select_related("indicator", "district", "entered_by", "city_approved_by"),
        pk=pk,
    )
    form = ReviewStepForm(initial={"version": observation.version})
    # Offer only the steps the review rules would take: none in a locked year (or a closed plan's), no approval
    # of one's own figure (four eyes), no restoring an approved figure before it is reopened.
    context = {
        "observation": observation,
        "records": submissions.history_of(observation, request.user),
        "form": form,
        "locked": observation.year in locks.locked_years({observation.indicator_id})[observation.indicator_id],
        "own": observation.entered_by_id == request.user.pk,
        "may_approve": review.awaiting(request.user, Observation.objects.filter(pk=observation.pk)).exists(),
    }
    return render(request, "figures/observation_history.html", context)


@require_POST
def observation_review(request, pk, step):
    observation = get_object_or_404(Observation.objects.visible_to(request.user).shown_in(request.plan), pk=pk)
    if step not in review.REVIEW_STEPS:
        raise Http404(_("没有这个操作。"))
    require(request.user, "figures.review_observation")
    form = ReviewStepForm(request.POST)
    if not form.is_valid():
        raise BadRequest(_("请求不完整，请刷新页面后重试。"))
    try:
        review.REVIEW_STEPS[step](observation=observation, by=request.user, **form.cleaned_data)
    except (pipeline.Conflict, ValidationError, PermissionDenied) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
    return redirect("figures:observation-history", pk=pk)


@require_POST
def observation_restore(request, pk, history_id):
    observation = get_object_or_404(Observation.objects.visible_to(request.user).shown_in(request.plan), pk=pk)
    record = get_object_or_404(observation.history, history_id=history_id)
    try:
        review.restore(
            observation=observation,
            record=record,
            by=request.user,
            version=request.POST.get("version"),
            plan=request.plan,
        )
    except (pipeline.Conflict, ValidationError) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
    else:
        messages.success(request, _("已恢复为第%(version)d版。") % {"version": record.version})
    return redirect("figures:observation-history", pk=pk)


def year_locks(request):
    require(request.user, "figures.lock_year")
    plan = request.plan
    locks = {
        y.year: y
        for y in ReportingYear.objects.filter(plan=plan).select_related("locked_by", "close_requested_by", "opened_by")
    }
    years = [(year, locks.get(year)) for year in range(plan.base_year, plan.target_year + 1)]
    context = {"plan": plan, "years": years, "round_history": rounds.history(plan)}
    return render(request, "figures/year_locks.html", context)


@require_POST
def year_lock(request, year, locked):
    plan = request.plan
    if locked and request.POST.get("confirm") != "1" and plan.base_year <= year <= plan.target_year:
        # Say what locking does (the figures it freezes; for the final year, that the plan closes and who asked
        # for it) and lock only on a second POST.
        require(request.user, "figures.lock_year")
        reporting_year = ReportingYear.objects.filter(plan=plan, year=year).select_related("close_requested_by")
        unfinished = submissions.unfinished_figures(plan, year)
        by_district = {}
        for figure in unfinished:
            by_district.setdefault(figure.district, []).append(figure)
        context = {
            "plan": plan,
            "year": year,
            "closes_plan": year == plan.target_year,
            "request": reporting_year.filter(close_requested_by__isnull=False).first(),
            "by_district": by_district.items(),
            "total": len(unfinished),
        }
        return render(request, "figures/year_lock_confirm.html", context)
    try:
        reporting_year = review.lock_year(plan=plan, year=year, by=request.user, locked=locked)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
    else:
        if locked and not reporting_year.locked:
            messages.success(request, _("已申请结束规划，等待另一位审核员确认。"))
        elif locked and year == plan.target_year:
            messages.success(request, _("%(year)d年度已锁定，规划已结束。") % {"year": year})
        else:
            messages.success(
                request, (_("%(year)d年度已锁定。") if locked else _("%(year)d年度已解锁。")) % {"year": year}
            )
    return redirect("figures:year-locks")


def _template_years(plan, user):
    """The years a template is offered for, those still open for entry, and the one offered first.

    Figures are reported for the year just ended, so the first offer is the latest open year before this one.
    The import page and the download share it, so the page never offers a year the download refuses.
    """
    years = access.allowed_years(plan, user, unlocked=True)
    default = max((year for year in years if year < this_year()), default=years[0]) if years else None
    return years, default


def import_template(request):
    plan = request.plan
    years, default = _template_years(plan, request.user)
    if not years:
        raise Http404(_("没有可填报的年度。"))
    year = year_or_404(request.GET.get("year"), years, default=default)
    code = request.GET.get("district")
    district = get_object_or_404(access.visible_districts(request.user), code=code) if code else None
    districts = excel_template.template_districts(request.user, district)
    if not districts:
        raise PermissionDenied(_("您没有可填报的地区。"))
    out = io.BytesIO()
    excel_template.write_template(out, plan=plan, year=year, districts=districts)
    name = f"{plan.name}-{districts[0].short_name if district else ''}{year}年填报模板.xlsx"
    return FileResponse(io.BytesIO(out.getvalue()), as_attachment=True, filename=name)


def import_upload(request):
    plan = request.plan
    districts = access.upload_districts(request.user)
    if not districts:
        raise PermissionDenied(_("您没有可填报的地区。"))
    form = UploadForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        upload, action = form.cleaned_data["file"], form.cleaned_data["action"]
        data = upload.read(excel_files.MAX_BYTES + 1)
        try:
            preview = excel_import.preview_upload(data, upload.name, plan=plan, user=request.user, action=action)
        except excel_files.BadFile as bad:
            form.add_error("file", str(bad))
        else:
            excel_import.keep_upload(request.session, request.user, data, upload.name, action, preview.versions)
            return redirect("figures:import-preview")
    years, year = _template_years(plan, request.user)
    context = {
        "plan": plan,
        "form": form,
        "districts": districts,
        "years": years,
        "year": year,
        "long_headers": excel_files.LONG_HEADERS,
    }
    return render(request, "figures/import_upload.html", context)


def _pending(request):
    pending = excel_import.pending_upload(request.session, request.user)
    if pending is None:
        messages.error(request, _("没有待确认的文件，请重新上传。"))
    return pending


def import_preview(request):
    plan = request.plan
    pending = _pending(request)
    if pending is None:
        return redirect("figures:import")
    try:
        preview = excel_import.preview_upload(
            pending.data, pending.filename, plan=plan, user=request.user, action=pending.action
        )
    except excel_files.BadFile as bad:
        messages.error(request, str(bad))
        return redirect("figures:import")
    # Confirming checks the figures against what this page shows, not what the first preview showed.
    excel_import.remember_preview(pending, preview)
    return render(request, "figures/import_preview.html", {"plan": plan, "preview": preview, "action": pending.action})


@require_POST
def import_confirm(request):
    plan = request.plan
    pending = _pending(request)
    if pending is None:
        return redirect("figures:import")
    try:
        counts = excel_import.save_upload(
            pending.data,
            pending.filename,
            plan=plan,
            user=request.user,
            action=pending.action,
            versions=pending.versions,
            withdraw=request.POST.get("withdraw") == "1",
        )
    except (excel_files.BadFile, excel_import.UploadRejected) as refused:
        messages.error(request, _("未导入任何数据：") + "；".join(getattr(refused, "errors", [str(refused)])))
        return redirect("figures:import-preview")
    excel_import.drop_upload(request.session, request.user)
    messages.success(request, import_counts(sum(counts.values()), **counts))
    return redirect("figures:import")


def import_counts(n, *, new, changed, unchanged):
    """ "已导入 n 行：…" with each count in its own plural."""
    return _("%(total)s：%(new)s，%(changed)s，%(unchanged)s。") % {
        "total": ngettext("已导入 %(n)d 行", "已导入 %(n)d 行", n) % {"n": n},
        "new": ngettext("新增 %(n)d 行", "新增 %(n)d 行", new) % {"n": new},
        "changed": ngettext("修改 %(n)d 行", "修改 %(n)d 行", changed) % {"n": changed},
        "unchanged": ngettext("无变化 %(n)d 行", "无变化 %(n)d 行", unchanged) % {"n": unchanged},
    }
