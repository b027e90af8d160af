"""Yearly task reports: who may write them, which years are open, and the one function that stores them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from figures.access import member_districts
from figures.locks import locked_message, locked_plan_years
from figures.pipeline import Conflict, lock_plans
from plans.years import this_year
from tasks.models import TaskReport

REPORT_FIELDS = ("status", "summary", "evidence_links", "text_target_notes")


def can_report(user):
    """Reviewers (or anyone granted 填报任务进展) and the officials of the province district report on tasks.

    Province officials are the members of the province district who may enter figures; city officials are not:
    the tasks are the province's.
    """
    if user.has_perm("tasks.report_task"):
        return True
    return user.has_perm("figures.change_observation") and member_districts(user).provinces().exists()


def current_year(plan):
    """The year reports are due for now: this year within the plan, never the base year."""
    return min(plan.target_year, max(plan.base_year + 1, this_year()))


def report_years(plan):
    return range(plan.base_year + 1, current_year(plan) + 1)


def save_task_report(
    *,
    task,
    year,
    by,
    status,
    summary,
    evidence_links="",
    evidence_file=None,
    text_target_notes="",
    version=None,
):
    """Create or change a task's report for a year, keeping who, when and the old text in the history.

    `evidence_file` None keeps the stored file, False removes it (the history still names it), an upload
    replaces it. `version` is the version of the report the writer read (0: none yet); a stale one is a
    Conflict showing the other change, so nobody overwrites a report they never saw (None: not checked).
    Raises PermissionDenied, ValidationError (naming the field) or Conflict (a locked year, a stale version).
    """
    if not can_report(by):
        raise PermissionDenied(_("您没有填报任务进展的权限。"))
    plan = task.plan
    years = report_years(plan)
    if year not in years:
        raise ValidationError(
            {"year": _("年份必须在%(first)d至%(last)d年之间。") % {"first": years.start, "last": years.stop - 1}},
            code="invalid_year",
        )
    with transaction.atomic():
        # Checked after the lock `lock_year` takes, in the transaction that writes: a lock cannot land in between.
        lock_plans([plan.pk])
        locked = locked_plan_years(plan)
        if plan.is_read_only(locked):
            raise Conflict(plan.read_only_message)
        if year in locked:
            raise Conflict(locked_message(year))
        report = TaskReport.objects.select_for_update().filter(task=task, year=year).first()
        _check_version(report, version)
        report = report or TaskReport(task=task, year=year, version=0)
        new = {
            "status": status,
            "summary": (summary or "").strip(),
            "evidence_links": "\n".join(line.strip() for line in (evidence_links or "").splitlines() if line.strip()),
            "text_target_notes": (text_target_notes or "").strip(),
        }
        uploaded = bool(evidence_file) and evidence_file != report.evidence_file
        removed = evidence_file is False and bool(report.evidence_file)
        if report.pk and not (uploaded or removed) and all(getattr(report, k) == v for k, v in new.items()):
            return report
        for name, value in new.items():
            setattr(report, name, value)
        if uploaded or removed:
            report.evidence_file = evidence_file or ""
        report.entered_by, report.entered_at = by, timezone.now()
        report.version += 1
        # A stored file was checked when it came in; only a new upload is checked again.
        report.full_clean(exclude=[] if uploaded else ["evidence_file"], validate_unique=False)
        report._history_user = by
        report.save()
        return report


def _check_version(report, version):
    if version is None or version == (report.version if report else 0):
        return
    if report is None:
        raise Conflict(_("该年度进展已被删除，请刷新页面后再填报。"))
    raise Conflict(
        _(
            "该年度进展已被%(who)s于%(when)s修改（%(status)s，版本 %(version)d）。为免覆盖他人的修改，本次未保存；"
            "请复制您填写的内容，刷新页面后再改。"
        )
        % {
            "who": report.entered_by,
            "when": timezone.localtime(report.entered_at).strftime("%Y-%m-%d %H:%M"),
            "status": report.get_status_display(),
            "version": report.version,
        }
    )
