"""The review workflow: reviewers approve or return submitted figures, reopen approved ones, restore earlier
versions and lock years. Each step is one new version of the figure, with who, when and why, stored through
the write pipeline's locking, version, history and status code (`pipeline.lock_plans`, `pipeline.save_changes`).

Levels: a plan reviewed at two levels (Plan.review_levels == 2) sends a submitted figure first to its district's
city reviewer (市级审核员, a reviewer scoped to districts as officials are), whose approval leaves it 市级审核通过,
then to a reviewer of the province (审核通过, final). 全省's figures, and those of a district without a city
reviewer, go straight to the province. Either level returns; the province also returns a city-approved figure.

Four eyes: nobody approves a figure whose current version he entered or submitted himself, nor approves at the
province a version he approved at the city.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from figures import notices, pipeline
from figures.access import CITY, PROVINCE, city_reviewed_districts, level_of, member_districts, needs_city_review
from figures.locks import locked_message, locked_years
from figures.models import RESTORED, DataVersion, Observation, ObservationStatus, ReportingYear
from figures.pipeline import Conflict
from plans.chains import showing
from plans.models import District, DistrictKind, Indicator


def awaiting(user, queryset=None):
    """The figures waiting at this reviewer's level that he may approve or return: at the city, the submitted
    figures of his districts that pass the city; at the province, the city-approved ones and the submitted ones
    that skip the city. Never those whose current version he entered or submitted, nor, at the province, those he
    approved at the city (four eyes). Empty for users who do not review."""
    queryset = Observation.objects.all() if queryset is None else queryset
    level = level_of(user)
    if level is None:
        return queryset.none()
    if level == CITY:
        waiting = queryset.filter(
            needs_city_review(), status=ObservationStatus.SUBMITTED, district__in=member_districts(user)
        )
    else:
        waiting = queryset.filter(
            Q(status=ObservationStatus.CITY_APPROVED) | Q(status=ObservationStatus.SUBMITTED) & ~needs_city_review()
        )
    return waiting.exclude(own_work(user))


def own_work(user):
    """Four eyes, for querysets: the figures this user may not approve, those whose current version he entered
    or submitted and those he approved at the city (`check_four_eyes` says it for one figure, with the reason)."""
    return Q(entered_by=user) | Q(status=ObservationStatus.CITY_APPROVED, city_approved_by=user)


def check_four_eyes(o, by):
    """Four eyes, for one figure about to be approved: PermissionDenied naming the reason (`own_work`)."""
    if o.entered_by_id == by.pk:
        raise PermissionDenied(
            _("不能审核通过自己填报或提交的数据（%(figure)s），请由另一位审核员审核。") % {"figure": o}
        )
    if o.status == ObservationStatus.CITY_APPROVED and o.city_approved_by_id == by.pk:
        raise PermissionDenied(
            _("您已在市级审核通过%(figure)s的这一版本，省级审核须由另一位审核员进行。") % {"figure": o}
        )


def reviewer_level(user):
    """The level at which the user reviews (`access.level_of`); PermissionDenied for a user who does not."""
    level = level_of(user)
    if level is None:
        raise PermissionDenied(_("只有审核员可以审核数据。"))
    return level


def levels_note(plan, user):
    """What the review page says about levels: the reviewer's level, whether the plan has two, and the districts
    whose figures skip the city (全省's always, and those of districts without a city reviewer)."""
    level = level_of(user)
    two = plan.review_levels == 2
    skipping = []
    if two and level == PROVINCE:
        with_city = city_reviewed_districts().values("pk")
        skipping = list(District.objects.exclude(kind=DistrictKind.PROVINCE).exclude(pk__in=with_city))
    return {"level": level, "two_levels": two, "skipping": skipping}


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
# step: (the statuses it starts from, the history's change reason). Reasons are stored in Chinese, whoever's
# language, and translated when shown (`shown_reason`).
STEPS = {
    "approve": ((ObservationStatus.SUBMITTED, ObservationStatus.CITY_APPROVED), gettext_noop("审核通过")),
    "return": ((ObservationStatus.SUBMITTED, ObservationStatus.CITY_APPROVED), gettext_noop("退回")),
    "reopen": ((ObservationStatus.APPROVED,), gettext_noop("重新打开")),
}
CITY_APPROVAL = gettext_noop("市级审核通过")


def review_many(*, observations, step, by, comment="", versions=None):
    """Approve or return several figures at once: all of them or, on the first refusal, none.

    A constant number of queries whatever the number of figures. `versions` ({pk: version read}) is required."""
    if not isinstance(step, str) or step not in BULK_STEPS:
        raise ValidationError({"step": _("不支持的操作。")})
    return _review(list(observations), step, by=by, versions=versions or {}, comment=comment)


def _review(observations, step, *, by, versions, comment):
    level = reviewer_level(by)
    expected, reason = STEPS[step]
    comment = pipeline.clean_text(comment, "comment")
    if step != "approve" and not comment:
        raise ValidationError({"comment": _("请填写审核意见，说明需要修改之处。")}, code="required")
    try:
        wanted = {o.pk: pipeline.clean_version(versions.get(o.pk), required=True) for o in observations}
    except ValidationError as invalid:
        # Pages show it above the form, the API says 400: the version read is part of the request.
        raise ValidationError(invalid.messages, code="invalid_version") from None
    with pipeline.guarded():
        pipeline.lock_plans(pipeline.plans_of({o.indicator_id for o in observations}))
        rows = list(
            Observation.objects.select_for_update(of=("self",))
            .filter(pk__in=list(wanted))
            .select_related("indicator__plan", "district", "entered_by")
            .order_by("pk")
        )
        if not rows:
            return []
        own = set(by.districts.values_list("pk", flat=True)) if level == CITY else set()
        if level == CITY and any(o.district_id not in own for o in rows):
            raise Http404(_("没有这个地区。"))  # as for an official: another city's figures do not exist for him
        through_city = set(
            city_reviewed_districts().filter(pk__in={o.district_id for o in rows}).values_list("pk", flat=True)
        )
        # One plan object per plan, so that each asks once whether it is closed (Plan.closes).
        plans = {o.indicator.plan_id: o.indicator.plan for o in rows}
        for o in rows:
            o.indicator.plan = plans[o.indicator.plan_id]
        locked = locked_years({o.indicator_id for o in rows})
        now, moved, reasons = timezone.now(), set(), {}
        for o in rows:
            if o.indicator.plan.closes(o.year):
                raise Conflict(o.indicator.plan.read_only_message)
            if o.year in locked[o.indicator_id]:
                raise Conflict(locked_message(o.year))
            if o.status not in expected:
                raise Conflict(
                    _("%(figure)s当前状态为“%(status)s”，不能%(step)s。")
                    % {"figure": o, "status": o.get_status_display(), "step": _(reason)}
                )
            if wanted[o.pk] != o.version:
                raise Conflict(pipeline.version_message(o))
            city_first = o.indicator.plan.review_levels == 2 and o.district_id in through_city
            _check_level(o, step, level, city_first)
            if step == "approve":
                check_four_eyes(o, by)
            status = _next_status(o, step, level)
            if ObservationStatus.APPROVED in (o.status, status):
                moved.add((o.indicator_id, o.district_id))
            reasons[o.pk] = CITY_APPROVAL if status == ObservationStatus.CITY_APPROVED else reason
            o.status, o.review_comment = status, comment
            if status == ObservationStatus.APPROVED:
                o.approved_by, o.approved_at = by, now
            else:
                o.approved_by, o.approved_at = None, None
            if status == ObservationStatus.CITY_APPROVED:
                o.city_approved_by, o.city_approved_at = by, now
            elif status == ObservationStatus.RETURNED:
                o.city_approved_by, o.city_approved_at = None, None
        order = {pk: n for n, pk in enumerate(o.pk for o in observations)}
        rows.sort(key=lambda o: order[o.pk])
        # One history reason per step taken: a bulk approval may leave some figures at the city, some final.
        for change_reason in dict.fromkeys(reasons.values()):
            same = [o for o in rows if reasons[o.pk] == change_reason]
            pipeline.save_changes(
                same, by=by, change_reason=change_reason, moved={p for p in moved if p in _pairs(same)}
            )
        notices.reviewed(rows, by=by)
        return rows


def _pairs(rows):
    return {(o.indicator_id, o.district_id) for o in rows}


def _check_level(o, step, level, city_first):
    """Whether this level may take this step on this figure now; a clear refusal (409) otherwise."""
    if level == CITY:
        if step == "reopen":
            raise Conflict(_("只有省级审核员可以重新打开已审核通过的数据。"))
        if not city_first:
            raise Conflict(_("%(figure)s不经市级审核，由省级审核员审核。") % {"figure": o})
        if o.status == ObservationStatus.CITY_APPROVED:
            raise Conflict(_("%(figure)s已通过市级审核，正等待省级审核。") % {"figure": o})
    elif step == "approve" and city_first and o.status == ObservationStatus.SUBMITTED:
        raise Conflict(_("%(figure)s须先由市级审核员审核，通过后再由省级终审。") % {"figure": o})


def _next_status(o, step, level):
    if step != "approve":
        return ObservationStatus.RETURNED
    if level == CITY:
        return ObservationStatus.CITY_APPROVED
    return ObservationStatus.APPROVED


def restore(*, observation, record, by, version=None, plan=None):
    """A reviewer brings back an earlier version (a history row) as a new, submitted version; nothing is deleted.

    An approved figure is reopened first. The restored figure is checked like any other and submitted in the
    reviewer's name, so another reviewer approves it. `plan`: the plan whose page restores it, which for a figure
    two plans share decides whose years and targets it is checked against (as when it is entered)."""
    if not by.has_perm("figures.review_observation"):
        raise PermissionDenied(_("只有审核员可以恢复历史版本。"))
    version = pipeline.clean_version(version, required=True)
    with pipeline.guarded():
        # What is checked is read after the locks every writer takes (pipeline.write), in the transaction that writes.
        pipeline.lock_plans(pipeline.plans_of({observation.indicator_id}))
        return _restore(observation, record, by=by, version=version, plan=plan)


def _restore(observation, record, *, by, version, plan):
    observation = (
        Observation.objects.select_for_update(of=("self",))
        .select_related("indicator__plan", "district", "entered_by")
        .get(pk=observation.pk)
    )
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
    if observation.year in locked_years({observation.indicator_id})[observation.indicator_id]:
        raise Conflict(locked_message(observation.year))
    if observation.status == ObservationStatus.APPROVED:
        raise Conflict(_("该数据已审核通过，需审核员重新打开后才能恢复历史版本。"))
    if version != observation.version:  # also when it brings back what the figure says now
        raise Conflict(pipeline.version_message(observation))
    outcome = pipeline.write(pipeline.Batch([row], require_version=True, change_reason=reason), by=by)
    outcome.raise_problems()
    if outcome.changed:
        return outcome.changed[0]
    # The same figure as the one restored: still a new, submitted version, so a reviewer sees it.
    observation.status, observation.entered_by, observation.entered_at = (
        ObservationStatus.SUBMITTED,
        by,
        timezone.now(),
    )
    observation.approved_by = observation.approved_at = None
    return pipeline.save_changes([observation], by=by, change_reason=reason, moved=set())[0]


def lock_year(*, plan, year, by, locked=True):
    """Lock (or with locked=False unlock) a reporting year: a locked year's figures cannot change.

    Locking the plan's final year closes the plan (Plan.closes), so it takes two reviewers: the first call records
    the request (the year stays open), a call by another reviewer locks. Unlocking withdraws a request."""
    if not by.has_perm("figures.lock_year"):
        raise PermissionDenied(_("只有审核员可以锁定或解锁年度。"))
    if not plan.base_year <= int(year) <= plan.target_year:
        raise ValidationError(
            {"year": _("年份必须在%(first)d至%(last)d年之间。") % {"first": plan.base_year, "last": plan.target_year}},
            code="invalid_year",
        )
    with transaction.atomic():
        pipeline.lock_plans([plan.pk])  # writers check the year's lock under this lock (pipeline.write)
        reporting_year, _created = ReportingYear.objects.select_for_update().get_or_create(plan=plan, year=year)
        closing = locked and int(year) == plan.target_year and not reporting_year.locked
        if closing and reporting_year.close_requested_by_id is None:
            reporting_year.close_requested_by, reporting_year.close_requested_at = by, timezone.now()
            reporting_year.save()
            return reporting_year
        if closing and reporting_year.close_requested_by_id == by.pk:
            raise ValidationError(
                {"year": _("您已申请结束规划，需由另一位审核员确认后才能锁定目标年度。")}, code="same_reviewer"
            )
        reporting_year.locked = locked
        reporting_year.locked_by, reporting_year.locked_at = (by, timezone.now()) if locked else (None, None)
        reporting_year.close_requested_by = reporting_year.close_requested_at = None
        reporting_year.save()
        if locked:
            notices.year_locked(plan, int(year), by=by)
        DataVersion.bump(DataVersion.WORK)
        return reporting_year
