"""The review workflow: reviewers approve or return submitted figures, reopen approved ones, restore earlier
versions and lock years. Each step is one new version of the figure, with who, when and why, stored through
the write pipeline's locking, version, history and status code (`pipeline.lock`, `pipeline.save_changes`).

Four eyes: nobody approves a figure whose current version he entered or submitted himself.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from figures import pipeline
from figures.models import Observation, ObservationStatus, ReportingYear
from figures.pipeline import Conflict
from plans.models import Indicator, showing


def approve(*, observation, by, version=None, comment=""):
    """A reviewer accepts a submitted figure: it becomes what the dashboard shows."""
    return _review(
        [observation], "approve", by=by, versions={observation.pk: _read(observation, version)}, comment=comment
    )[0]


def return_for_revision(*, observation, by, comment, version=None):
    """A reviewer sends a submitted figure back to its district with a comment saying what to fix."""
    return _review(
        [observation], "return", by=by, versions={observation.pk: _read(observation, version)}, comment=comment
    )[0]


def reopen(*, observation, by, comment, version=None):
    """A reviewer takes back an approval, returning the figure to its district for correction."""
    return _review(
        [observation], "reopen", by=by, versions={observation.pk: _read(observation, version)}, comment=comment
    )[0]


def _read(observation, version):
    """The version the caller read: given by pages and the API (required there), else the instance's own."""
    return observation.version if version is None else version


# The steps a reviewer takes on one figure, by the name pages and the API use; bulk review offers the first two.
REVIEW_STEPS = {"approve": approve, "return": return_for_revision, "reopen": reopen}
BULK_STEPS = ("approve", "return")
# step: (the status it starts from, the status it leaves, the history's change reason). Reasons are stored in
# Chinese, whoever's language, and translated when shown (`shown_reason`).
STEPS = {
    "approve": (ObservationStatus.SUBMITTED, ObservationStatus.APPROVED, gettext_noop("审核通过")),
    "return": (ObservationStatus.SUBMITTED, ObservationStatus.RETURNED, gettext_noop("退回")),
    "reopen": (ObservationStatus.APPROVED, ObservationStatus.RETURNED, gettext_noop("重新打开")),
}


def review_many(*, observations, step, by, comment="", versions=None):
    """Approve or return several figures at once: all of them or, on the first refusal, none.

    A constant number of queries whatever the number of figures. `versions` ({pk: version read}) is required."""
    if not isinstance(step, str) or step not in BULK_STEPS:
        raise ValidationError({"step": _("不支持的操作。")})
    return _review(list(observations), step, by=by, versions=versions or {}, comment=comment)


def _review(observations, step, *, by, versions, comment):
    if not by.has_perm("figures.review_observation"):
        raise PermissionDenied(_("只有审核员可以审核数据。"))
    expected, status, reason = STEPS[step]
    comment = pipeline.clean_text(comment, "comment")
    if step != "approve" and not comment:
        raise ValidationError({"comment": _("请填写审核意见，说明需要修改之处。")}, code="required")
    try:
        wanted = {o.pk: pipeline.clean_version(versions.get(o.pk), required=True) for o in observations}
    except ValidationError as invalid:
        # Pages show it above the form, the API says 400: the version read is part of the request.
        raise ValidationError(invalid.messages, code="invalid_version") from None
    with pipeline.guarded():
        rows = list(
            Observation.objects.select_for_update(of=("self",))
            .filter(pk__in=list(wanted))
            .select_related("indicator__plan", "district", "entered_by")
            .order_by()
        )
        if not rows:
            return []
        # One plan object per plan, so that each asks once whether it is closed (Plan.closes).
        plans = {o.indicator.plan_id: o.indicator.plan for o in rows}
        for o in rows:
            o.indicator.plan = plans[o.indicator.plan_id]
        locked = pipeline.locked_years({o.indicator_id for o in rows})
        now, moved = timezone.now(), set()
        for o in rows:
            if o.indicator.plan.closes(o.year):
                raise Conflict(o.indicator.plan.read_only_message)
            if o.year in locked[o.indicator_id]:
                raise Conflict(_("%(year)d年度已锁定，数据不能再修改。") % {"year": o.year})
            if o.status != expected:
                raise Conflict(
                    _("%(figure)s当前状态为“%(status)s”，不能%(step)s。")
                    % {"figure": o, "status": o.get_status_display(), "step": _(reason)}
                )
            if wanted[o.pk] != o.version:
                raise Conflict(pipeline.version_message(o))
            if step == "approve" and o.entered_by_id == by.pk:
                raise PermissionDenied(
                    _("不能审核通过自己填报或提交的数据（%(figure)s），请由另一位审核员审核。") % {"figure": o}
                )
            if ObservationStatus.APPROVED in (o.status, status):
                moved.add((o.indicator_id, o.district_id))
            o.status, o.review_comment = status, comment
            if status == ObservationStatus.APPROVED:
                o.approved_by, o.approved_at = by, now
            else:
                o.approved_by, o.approved_at = None, None
        order = {pk: n for n, pk in enumerate(o.pk for o in observations)}
        rows.sort(key=lambda o: order[o.pk])
        return pipeline.save_changes(rows, by=by, change_reason=reason, moved=moved)


def restore(*, observation, record, by, version=None, plan=None):
    """A reviewer brings back an earlier version (a history row) as a new, submitted version; nothing is deleted.

    An approved figure is reopened first. The restored figure is checked like any other and submitted in the
    reviewer's name, so another reviewer approves it. `plan`: the plan whose page restores it, which for a figure
    two plans share decides whose years and targets it is checked against (as when it is entered)."""
    if not by.has_perm("figures.review_observation"):
        raise PermissionDenied(_("只有审核员可以恢复历史版本。"))
    version = pipeline.clean_version(version, required=True)
    observation = Observation.objects.select_related("indicator__plan", "district").get(pk=observation.pk)
    indicator = observation.indicator
    if plan is not None and plan.pk != indicator.plan_id:
        shown_as = showing(Indicator.objects.filter(plan=plan))
        indicator = Indicator.objects.select_related("plan").get(pk=shown_as[observation.indicator_id])
    row = pipeline.Row(
        indicator=indicator,
        district=observation.district,
        year=observation.year,
        value=record.value,
        note=record.note,
        source=record.source,
        reason=record.reason,
        measures=record.measures,
        confirm=True,
        version=version,
        action=pipeline.Action.SUBMIT,
    )
    reason = RESTORED % {"version": record.version}
    if observation.year in pipeline.locked_years({observation.indicator_id})[observation.indicator_id]:
        raise Conflict(_("%(year)d年度已锁定，数据不能再修改。") % {"year": observation.year})
    if observation.status == ObservationStatus.APPROVED:
        raise Conflict(_("该数据已审核通过，需审核员重新打开后才能恢复历史版本。"))
    outcome = pipeline.write(pipeline.Batch([row], require_version=True, change_reason=reason), by=by)
    outcome.raise_problems()
    if outcome.changed:
        return outcome.changed[0]
    # The same figure as the one restored: still a new, submitted version, so a reviewer sees it.
    with pipeline.guarded():
        pipeline.lock([observation])
        observation.status, observation.entered_by, observation.entered_at = (
            ObservationStatus.SUBMITTED,
            by,
            timezone.now(),
        )
        observation.approved_by = observation.approved_at = None
        return pipeline.save_changes([observation], by=by, change_reason=reason, moved=set())[0]


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


RESTORED = gettext_noop("恢复为第%(version)d版")
RESTORED_PATTERN = re.compile(r"恢复为第(\d+)版")


def shown_reason(reason):
    """A history row's change reason in the reader's language (they are stored in Chinese)."""
    restored = RESTORED_PATTERN.fullmatch(reason or "")
    if restored:
        return _(RESTORED) % {"version": int(restored[1])}
    return _(reason) if reason else reason
