"""The plan workbook (download, upload, preview, confirm) and the 待核实 list.

They live in figures because an upload writes the plan's baselines, which are figures; the workbook itself is
`plans.workbook`, the one loader `figures.plan_loading.load_plan`.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from figures import excel_import
from figures.plan_dumping import dump_plan
from figures.plan_loading import Refused, load_plan
from plans import review_flags, workbook, workbook_reading
from plans.models import NEEDS_REVIEW, Plan
from plans.shortcuts import require

LOAD_PLAN = "plans.load_plan"
SESSION_KEY = "plan_workbook"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("规划工作簿"), help_text=gettext_lazy("从本页下载的 .xlsx 文件，修改后上传。")
    )


def plan_workbook(request):
    """Every plan with its workbook, and the upload form."""
    require(request.user, LOAD_PLAN)
    form = WorkbookForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        data = form.cleaned_data["file"].read(workbook_reading.MAX_BYTES + 1)
        try:
            rows = workbook_reading.read_workbook(data)
        except workbook_reading.BadWorkbook as bad:
            for error in bad.errors:
                form.add_error("file", error)
        else:
            _stash(request, data, _preview(rows, request.user))
            return redirect("plans:workbook-preview")
    plans = Plan.objects.order_by("-base_year", "code")
    return render(request, "plans/plan_workbook.html", {"plans": plans, "form": form})


def plan_workbook_download(request, code):
    require(request.user, LOAD_PLAN)
    plan = get_object_or_404(Plan, code=code)
    response = HttpResponse(workbook.write_workbook(dump_plan(plan)), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{plan.code}.xlsx"'
    return response


def plan_workbook_preview(request):
    """What confirming would change, as computed once when the workbook was uploaded."""
    require(request.user, LOAD_PLAN)
    pending = excel_import.pending_upload(request.session, request.user, key=SESSION_KEY)
    if pending is None or pending.preview is None:
        messages.error(request, _("没有待确认的文件，请重新上传。"))
        return redirect("plans:workbook")
    return render(request, "plans/plan_workbook_preview.html", {"preview": pending.preview})


@require_POST
def plan_workbook_confirm(request):
    require(request.user, LOAD_PLAN)
    data = _rows_of_stash(request)
    if data is None:
        return redirect("plans:workbook")
    try:
        report = load_plan(data, force=True, remove=True, by=request.user)
    except Refused as refused:
        messages.error(request, _("未保存任何修改：") + "；".join(refused.report.refused))
        return redirect("plans:workbook-preview")
    _drop(request)
    counts = {"new": len(report.created), "changed": len(report.overwritten), "removed": len(report.removed)}
    messages.success(
        request,
        _("规划已保存：%(new)s，%(changed)s，%(removed)s。")
        % {
            "new": ngettext("新增 %(n)d 行", "新增 %(n)d 行", counts["new"]) % {"n": counts["new"]},
            "changed": ngettext("修改 %(n)d 行", "修改 %(n)d 行", counts["changed"]) % {"n": counts["changed"]},
            "removed": ngettext("删除 %(n)d 行", "删除 %(n)d 行", counts["removed"]) % {"n": counts["removed"]},
        },
    )
    return redirect("plans:workbook")


def review_flag_list(request):
    """Every flagged name, unit, target and task of the current plan with why it is flagged."""
    if not (request.user.has_perm(LOAD_PLAN) or request.user.has_perm("figures.review_observation")):
        raise PermissionDenied(_("您的角色没有此权限。"))
    plan = request.plan
    groups = [(title, kind, [_flag_row(obj, kind) for obj in rows]) for title, kind, rows in review_flags.flagged(plan)]
    total = sum(len(rows) for _title, _kind, rows in groups)
    context = {"plan": plan, "groups": groups, "total": total, "can_load": request.user.has_perm(LOAD_PLAN)}
    return render(request, "plans/review_flags.html", context)


def _flag_row(obj, kind):
    """(key, text, unit or category or project, confidence label, confidence is a guess, gap markers found,
    labels of the facts it leaves empty)."""
    key, text, extra = review_flags.listed(obj, kind)
    texts = [getattr(obj, name) for name in review_flags.TEXT_FIELDS[kind]]
    guessed = obj.confidence in NEEDS_REVIEW
    empty = [
        obj._meta.get_field(name).verbose_name for name in review_flags.missing(kind, review_flags.fields_of(obj, kind))
    ]
    return key, text, extra, obj.get_confidence_display(), guessed, review_flags.gaps(*texts), empty


# ---------------------------------------------------------------------------------------------------------------
# The uploaded workbook kept on the server between preview and confirm, bound to this session and user


def _preview(rows, user):
    """The trial load of an uploaded workbook's rows (nothing is saved), as the preview page shows it."""
    report = load_plan(rows, force=True, remove=True, by=user, dry_run=True)
    code = rows["plan"]["code"]
    existing = Plan.objects.filter(code=code).exists()
    return {**report.preview(), "code": code, "name": rows["plan"]["fields"]["name"], "existing": existing}


def _stash(request, data, preview):
    excel_import.keep_upload(
        request.session, request.user, data, "plan.xlsx", "plan", [], key=SESSION_KEY, preview=preview
    )


def _drop(request):
    excel_import.drop_upload(request.session, request.user, key=SESSION_KEY)


def _rows_of_stash(request):
    pending = excel_import.pending_upload(request.session, request.user, key=SESSION_KEY)
    if pending is None:
        messages.error(request, _("没有待确认的文件，请重新上传。"))
        return None
    try:
        return workbook_reading.read_workbook(pending.data)
    except workbook_reading.BadWorkbook as bad:
        messages.error(request, "；".join(bad.errors))
        return None
