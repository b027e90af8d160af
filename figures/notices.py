"""Notices of the reporting season, stored in the database and shown on 待办; `send_notices` mails them.

Made in the transaction of the step they tell of: a figure returned (to whoever entered or submitted it, with
the comment), figures submitted (to the reviewers of the level they now wait at), a figure finally approved (to
whoever entered it), a year locked (to the districts' members), and, by `send_notices`, the deadline 7 days and
1 day away (to the officials of districts with cells not yet submitted). Their words are composed when shown or
mailed, in the recipient's language: the one he last chose with the language switch (Profile.language).
"""

import datetime
from collections import Counter, defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Case, Value, When
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from figures import access, locks, rounds, submissions
from figures.models import DataVersion, Notice, NoticeKind, ObservationStatus, Profile, ReportingYear
from plans.models import District

REMINDER_DAYS = (7, 1)
MAIL_CHUNK = 500


def _bulk(notices):
    if notices:
        Notice.objects.bulk_create(notices, batch_size=1000, ignore_conflicts=True)
        DataVersion.bump(DataVersion.WORK)


def submitted(plan, observations, *, by):
    """Figures just submitted: one notice per district and year to each reviewer of the level they wait at (the
    district's city reviewers on a two-level plan, else the province's), never to the submitter."""
    if not observations:
        return
    counts = Counter((o.district_id, o.year) for o in observations)
    _to_reviewers(plan, counts, by=by, city_first=plan.review_levels == 2)


def _to_reviewers(plan, counts, *, by, city_first):
    districts = {d for d, _y in counts}
    at_city = defaultdict(list)
    if city_first:
        memberships = District.members.through.objects.filter(
            district_id__in=districts, user__in=access.reviewers(access.CITY)
        ).exclude(district__kind="province")
        for district_id, user_id in memberships.values_list("district_id", "user_id"):
            at_city[district_id].append(user_id)
    province = None
    notices = []
    for (district_id, year), n in counts.items():
        recipients = at_city.get(district_id)
        if not recipients:
            if province is None:
                province = list(access.reviewers(access.PROVINCE).values_list("pk", flat=True))
            recipients = province
        notices += [
            Notice(user_id=u, plan=plan, kind=NoticeKind.SUBMITTED, year=year, district_id=district_id, count=n)
            for u in recipients
            if u != by.pk
        ]
    _bulk(notices)


def reviewed(rows, *, by):
    """A review step's notices: returned or finally approved figures to whoever entered them, figures approved by
    a city to the province's reviewers."""
    notices, waiting = [], defaultdict(Counter)
    for o in rows:
        plan = o.indicator.plan
        if o.status == ObservationStatus.RETURNED:
            kind = NoticeKind.RETURNED
        elif o.status == ObservationStatus.APPROVED:
            kind = NoticeKind.APPROVED
        else:
            waiting[plan][(o.district_id, o.year)] += 1
            continue
        if o.entered_by_id != by.pk:
            notices.append(
                Notice(
                    user_id=o.entered_by_id,
                    plan=plan,
                    kind=kind,
                    year=o.year,
                    district_id=o.district_id,
                    observation=o,
                    comment=o.review_comment,
                )
            )
    _bulk(notices)
    for plan, counts in waiting.items():
        _to_reviewers(plan, counts, by=by, city_first=False)


def year_locked(plan, year, *, by):
    """A year locked: every member of a district (officials, city reviewers) is told."""
    members = set(District.members.through.objects.values_list("user_id", flat=True))
    _bulk([Notice(user_id=u, plan=plan, kind=NoticeKind.LOCKED, year=year) for u in sorted(members) if u != by.pk])


def remind(*, today=None):
    """Make the deadline reminders due today: for each open round 7 and 1 days (or fewer, if a run was missed)
    before its deadline, to the officials of each district with cells not yet submitted. Made once per user,
    district, round and distance (their `key`), so running it again makes none. Returns how many were made."""
    today = today or rounds.today()
    made = []
    for reporting_year in ReportingYear.objects.filter(
        deadline__gte=today, locked=False, deadline__lte=today + datetime.timedelta(days=max(REMINDER_DAYS))
    ).select_related("plan"):
        days = (reporting_year.deadline - today).days
        distance = min(d for d in REMINDER_DAYS if days <= d)
        plan, year = reporting_year.plan, reporting_year.year
        missing = submissions.missing_counts(plan, year)
        members = defaultdict(list)
        for district_id, user_id in District.members.through.objects.filter(
            district_id__in=[d for d, n in missing.items() if n], user__in=access.officials()
        ).values_list("district_id", "user_id"):
            members[district_id].append(user_id)
        for district_id, users in members.items():
            made += [
                Notice(
                    user_id=u,
                    plan=plan,
                    kind=NoticeKind.DEADLINE,
                    year=year,
                    district_id=district_id,
                    count=missing[district_id],
                    days=days,
                    key=f"deadline:{plan.pk}:{year}:{district_id}:{distance}",
                )
                for u in users
            ]
    before = Notice.objects.filter(kind=NoticeKind.DEADLINE).count()
    _bulk(made)
    return Notice.objects.filter(kind=NoticeKind.DEADLINE).count() - before


def text(notice):
    """The notice's words in the active language."""
    words = {
        "district": notice.district.display_short_name if notice.district_id else "",
        "year": notice.year,
        "n": notice.count,
        "days": notice.days or 0,
        "indicator": notice.observation.indicator.display_name if notice.observation_id else "",
        "comment": notice.comment,
    }
    if notice.kind == NoticeKind.RETURNED:
        return _("%(district)s %(year)d年“%(indicator)s”被退回，审核意见：%(comment)s") % words
    if notice.kind == NoticeKind.SUBMITTED:
        return _("%(district)s %(year)d年有 %(n)d 项数据等待您审核。") % words
    if notice.kind == NoticeKind.APPROVED:
        return _("%(district)s %(year)d年“%(indicator)s”已审核通过。") % words
    if notice.kind == NoticeKind.DEADLINE:
        return _("%(year)d年数据填报还有 %(days)d 天截止，%(district)s尚有 %(n)d 项未提交。") % words
    return locks.locked_message(notice.year)


def for_user(user, *, limit=50):
    """The user's notices, unread first, newest first within each, with what their words need."""
    return list(
        Notice.objects.filter(user=user)
        .select_related("district", "observation__indicator", "plan")
        .annotate(read=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1)))
        .order_by("read", "-created_at", "-pk")[:limit]
    )


def mark_read(*, user, pk):
    """Mark one of the user's notices read; another user's notice does not exist for him (404)."""
    if not Notice.objects.filter(user=user, pk=pk).update(read_at=timezone.now()):
        raise Http404(_("没有这条通知。"))
    DataVersion.bump(DataVersion.WORK)


def mark_all_read(*, user):
    n = Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    DataVersion.bump(DataVersion.WORK)
    return n


def language_of(user):
    profile = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    return profile or settings.LANGUAGE_CODE


def remember_language(user, language):
    """Keep the language a user chose, for his notices and mails."""
    if user.is_authenticated and language in dict(settings.LANGUAGES):
        Profile.objects.update_or_create(user=user, defaults={"language": language})


def send(*, connection=None):
    """Mail every notice not yet mailed to its recipient, if he has an address; each at most once. Reads them in
    chunks of MAIL_CHUNK by id, so ten thousand notices never sit in memory together. Returns how many were sent."""
    connection = connection or get_connection()
    sent, last = 0, 0
    while True:
        chunk = list(
            Notice.objects.filter(pk__gt=last, mailed_at__isnull=True)
            .exclude(user__email="")
            .select_related("user", "user__planboard_profile", "district", "observation__indicator", "plan")
            .order_by("pk")[:MAIL_CHUNK]
        )
        if not chunk:
            return sent
        last = chunk[-1].pk
        messages = []
        for notice in chunk:
            profile = getattr(notice.user, "planboard_profile", None)
            with translation.override(profile.language if profile else settings.LANGUAGE_CODE):
                subject = _("【教育规划监测平台】%(kind)s") % {"kind": notice.get_kind_display()}
                body = f"{text(notice)}\n\n{notice.plan.name}"
            messages.append(EmailMessage(subject, body, to=[notice.user.email], connection=connection))
        connection.send_messages(messages)
        Notice.objects.filter(pk__in=[n.pk for n in chunk], mailed_at__isnull=True).update(mailed_at=timezone.now())
        sent += len(messages)
