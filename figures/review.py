"""The review workflow: reviewers approve or return submitted figures, reopen approved ones, restore earlier
versions and lock years. Each step is one new version of the figure, with who, when and why."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from figures import standings
from figures.models import Observation, ObservationStatus, ReportingYear
from figures.pipeline import Conflict, check_unlocked, check_version, refresh_standings


def approve(*, observation, by, version=None, comment=""):
    """A reviewer accepts a submitted figure: it becomes what the dashboard shows."""
    with transaction.atomic():
        observation = _for_review(observation, by, version, ObservationStatus.SUBMITTED, _("审核通过"))
        observation.approved_by, observation.approved_at = by, timezone.now()
        return _write_review(observation, by, ObservationStatus.APPROVED, (comment or "").strip(), _("审核通过"))


def return_for_revision(*, observation, by, comment, version=None):
    """A reviewer sends a submitted figure back to its district with a comment saying what to fix."""
    comment = _required_comment(comment)
    with transaction.atomic():
        observation = _for_review(observation, by, version, ObservationStatus.SUBMITTED, _("退回"))
        return _write_review(observation, by, ObservationStatus.RETURNED, comment, _("退回"))


def reopen(*, observation, by, comment, version=None):
    """A reviewer takes back an approval, returning the figure to its district for correction."""
    comment = _required_comment(comment)
    with transaction.atomic():
        observation = _for_review(observation, by, version, ObservationStatus.APPROVED, _("重新打开"))
        return _write_review(observation, by, ObservationStatus.RETURNED, comment, _("重新打开"))


# The steps a reviewer takes on one figure, by the name pages and the API use; bulk review offers the first two.
REVIEW_STEPS = {"approve": approve, "return": return_for_revision, "reopen": reopen}
BULK_STEPS = ("approve", "return")


def review_many(*, observations, step, by, comment="", versions=None):
    """Approve or return several figures at once: all of them or, on the first refusal, none."""
    if step not in BULK_STEPS:
        raise ValidationError({"step": _("不支持的操作。")})
    versions = versions or {}
    with transaction.atomic():
        return [
            REVIEW_STEPS[step](observation=o, by=by, comment=comment, version=versions.get(o.pk)) for o in observations
        ]


def restore(*, observation, record, by, version=None):
    """A reviewer brings back an earlier version (a history row) as a new version; nothing is deleted."""
    if not by.has_perm("figures.review_observation"):
        raise PermissionDenied(_("只有审核员可以恢复历史版本。"))
    with transaction.atomic():
        observation = Observation.objects.select_for_update().select_related("indicator__plan").get(pk=observation.pk)
        check_unlocked(observation.indicator.plan, observation.year)
        check_version(observation, version)
        fields = ("value", "status", "note", "source", "reason", "measures", "review_comment")
        fields += ("confirmed_large_move", "entered_by_id", "entered_at", "approved_by_id", "approved_at")
        for name in fields:
            setattr(observation, name, getattr(record, name))
        observation.version += 1
        observation._history_user = by
        observation._change_reason = _("恢复为第%(version)d版") % {"version": record.version}
        observation.save()
        standings.refresh_observation(observation)
        return observation


def _for_review(observation, by, version, expected_status, step):
    if not by.has_perm("figures.review_observation"):
        raise PermissionDenied(_("只有审核员可以审核数据。"))
    observation = Observation.objects.select_for_update().select_related("indicator__plan").get(pk=observation.pk)
    check_unlocked(observation.indicator.plan, observation.year)
    check_version(observation, version)
    if observation.status != expected_status:
        raise Conflict(
            _("%(figure)s当前状态为“%(status)s”，不能%(step)s。")
            % {"figure": observation, "status": observation.get_status_display(), "step": step}
        )
    return observation


def _write_review(observation, by, status, comment, step):
    was_approved = observation.status == ObservationStatus.APPROVED
    observation.status, observation.review_comment = status, comment
    if status != ObservationStatus.APPROVED:
        observation.approved_by, observation.approved_at = None, None
    observation.version += 1
    observation._history_user = by
    observation._change_reason = step
    observation.save()
    refresh_standings(observation, was_approved)
    return observation


def _required_comment(comment):
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请填写审核意见，说明需要修改之处。")}, code="required")
    return comment


def lock_year(*, plan, year, by, locked=True):
    """Lock (or with locked=False unlock) a reporting year: a locked year's figures cannot change."""
    if not by.has_perm("figures.lock_year"):
        raise PermissionDenied(_("只有审核员可以锁定或解锁年度。"))
    if not plan.base_year <= int(year) <= plan.target_year:
        raise ValidationError(
            {"year": _("年份必须在%(first)d至%(last)d年之间。") % {"first": plan.base_year, "last": plan.target_year}},
            code="invalid_year",
        )
    with transaction.atomic():
        reporting_year, _created = ReportingYear.objects.select_for_update().get_or_create(plan=plan, year=year)
        reporting_year.locked = locked
        reporting_year.locked_by, reporting_year.locked_at = (by, timezone.now()) if locked else (None, None)
        reporting_year.save()
        return reporting_year
