"""What was reported: yearly figures with their history, the reporting years, API keys and precomputed statuses."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Round
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from figures import access
from plans import numbers, progress
from plans.chains import statistics_of_continuing_sql
from plans.models import District, Indicator, Plan


class ObservationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    # Two-level review (Plan.review_levels == 2): approved by the district's city reviewer, awaiting the province.
    CITY_APPROVED = "city_approved", _("市级审核通过")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


DEMO_SOURCE = "示例数据"


def sees_work_in_progress(user):
    """Whether the user sees figures before approval. Work in progress stays with its district and the reviewers
    (and analysts, who enter for every district) until it is approved; the province-wide readers (leaders) see
    only approved figures."""
    if access.sees_every_district(user):
        return user.has_perm("figures.review_observation") or user.has_perm("figures.enter_all_districts")
    return True


class ObservationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reviewers and analysts see every figure, leaders every approved one; officials their own districts'."""
        if access.sees_every_district(user):
            return self if sees_work_in_progress(user) else self.approved()
        return self.filter(district__in=access.member_districts(user))

    def approved(self):
        return self.filter(status=ObservationStatus.APPROVED)

    def shown_in(self, plan):
        """The figures a plan shows: its indicators' own and, for an indicator continuing one of an earlier plan,
        those of its years stored on the first indicator of the chain (README, "Figures two plans share")."""
        shared = Q(indicator__in=statistics_of_continuing_sql(plan), year__gte=plan.base_year)
        # Its own indicators' figures of its own years: a later plan's figures stored on them are that plan's.
        return self.filter(Q(indicator__plan=plan, year__lte=plan.target_year) | shared)

    def with_previous(self):
        """Annotate the same cell's figure of the year before (`previous_value`) and the change from it."""
        previous = Observation.objects.filter(
            indicator=models.OuterRef("indicator"),
            district=models.OuterRef("district"),
            year=models.OuterRef("year") - 1,
        )
        figure = models.DecimalField(max_digits=numbers.DIGITS + 1, decimal_places=numbers.DECIMALS)
        # Rounded because SQLite subtracts decimals as floats (12.2 - 11.09 = 1.1099999...).
        change = Round(models.F("value") - models.F("previous_value"), 4, output_field=figure)
        return self.annotate(
            previous_value=models.Subquery(previous.values("value")[:1], output_field=figure)
        ).annotate(change=change)


class Observation(models.Model):
    """One figure: an indicator's value in one district and year, with who entered and approved it."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="observations", verbose_name=_("指标")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="observations", verbose_name=_("地区")
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    value = numbers.number_field(_("数值"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ObservationStatus.choices, default=ObservationStatus.DRAFT
    )
    note = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    reason = models.TextField(_("原因分析"), blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    confirmed_large_move = models.BooleanField(_("已确认大幅变动"), default=False)
    is_demo = models.BooleanField(_("示例数据"), default=False, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    entered_at = models.DateTimeField(_("填报时间"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # Two-level review: who approved this version at the city level (four eyes across the levels, README).
    city_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("市级审核人"),
    )
    city_approved_at = models.DateTimeField(_("市级审核时间"), null=True, blank=True)
    # The reporting round (figures/rounds.py): when the figure was first submitted, and whether that was after the
    # year's deadline. Marked once, never refused for it.
    submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期提交"), default=False)
    history = HistoricalRecords(verbose_name=_("数据修改记录"), table_name="indicators_historicalobservation")

    objects = ObservationQuerySet.as_manager()

    class Meta:
        # Tables keep the names of the app these models were first created in (see plans.models.Plan).
        db_table = "indicators_observation"
        verbose_name = _("数据")
        verbose_name_plural = _("数据")
        ordering = ["indicator", "district__order", "year"]
        permissions = [
            ("view_all_districts", _("查看所有地区的数据")),
            ("enter_all_districts", _("为所有地区填报数据")),
            ("review_observation", _("审核数据（通过、退回、重新打开）")),
            ("change_baseline", _("修改基期数据")),
            ("lock_year", _("锁定或解锁填报年度")),
            ("export_report", _("导出报表")),
            ("import_values", _("批量导入数据")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "district", "year"], name="observation_unique_cell"),
            models.CheckConstraint(condition=Q(status__in=ObservationStatus.values), name="observation_status_valid"),
            models.CheckConstraint(condition=Q(value__gte=0), name="observation_value_not_negative"),
            # What pipeline.parse_number and pipeline.clean_text enforce, kept by the database as well.
            models.CheckConstraint(condition=numbers.within_limit("value"), name="observation_value_within_limit"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("source"), 200), name="observation_source_length"),
            *(
                models.CheckConstraint(condition=LessThanOrEqual(Length(name), 2000), name=f"observation_{name}_length")
                for name in ("note", "reason", "measures", "review_comment")
            ),
            models.CheckConstraint(
                condition=~Q(note__contains="\x1b") & ~Q(note__contains="\u202e"),
                name="observation_note_no_control_characters",
            ),
            models.CheckConstraint(
                condition=Q(status=ObservationStatus.APPROVED) | Q(approved_at__isnull=True),
                name="observation_approved_at_only_when_approved",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "year", "status"], name="observation_district_year"),
            # The latest year with approved figures, read backwards from the top of this index.
            models.Index(fields=["status", "year"], name="observation_status_year"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.district} {self.year}: {self.value}"


class ReportingYear(models.Model):
    """A reporting year of a plan; once locked, its figures can no longer change."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reporting_years", verbose_name=_("规划"))
    year = models.PositiveSmallIntegerField(_("年份"))
    locked = models.BooleanField(_("已锁定"), default=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("锁定人"),
    )
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    # Locking the final year closes the plan: one reviewer asks, another confirms (review.lock_year).
    close_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请结束规划的审核员"),
    )
    close_requested_at = models.DateTimeField(_("申请结束规划时间"), null=True, blank=True)
    # The reporting round (figures/rounds.py): opened by a province reviewer with a deadline, which may move.
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("开启人"),
    )
    opened_at = models.DateTimeField(_("开启时间"), null=True, blank=True)
    history = HistoricalRecords(verbose_name=_("填报年度修改记录"))

    class Meta:
        db_table = "indicators_reportingyear"
        verbose_name = _("填报年度")
        verbose_name_plural = _("填报年度")
        ordering = ["plan", "year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="reportingyear_unique")]

    def __str__(self):
        return f"{self.plan} {self.year}"


class ApiToken(models.Model):
    """A per-user key for other systems calling the API; only its SHA-256 digest is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token", verbose_name=_("用户")
    )
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        db_table = "indicators_apitoken"
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return str(self.user)


class Standing(models.Model):
    """progress.py's status of an indicator in a district as of a year, kept up to date by the services.

    Overviews of many districts count these rows instead of judging millions of figures on each request.
    """

    # The plan is the indicator's, repeated so that an overview reads one index and joins nothing.
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("规划"))
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("指标"))
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+", verbose_name=_("地区"))
    as_of = models.PositiveSmallIntegerField(_("截至年份"))
    status = models.CharField(_("进展状态"), max_length=20, choices=list(progress.STATUS_LABELS.items()))

    class Meta:
        db_table = "indicators_standing"
        verbose_name = _("进展状态")
        verbose_name_plural = _("进展状态")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "district", "as_of"], name="standing_unique"),
            models.CheckConstraint(condition=Q(status__in=list(progress.STATUS_LABELS)), name="standing_status_valid"),
        ]
        indexes = [models.Index(fields=["plan", "as_of", "district", "status"], name="standing_overview")]

    def __str__(self):
        return f"{self.indicator} {self.district} {self.as_of}: {self.status}"


class DataVersion(models.Model):
    """A counter bumped inside every transaction that changes what the read pages compute (figures, targets,
    the plan's thresholds), so that cached verdicts are keyed on it and no app server, whatever its cache, serves
    a verdict older than the last write. The time of the bump goes into the key too: a database restored to an
    earlier number then never meets entries cached for a different state under the same number."""

    number = models.PositiveBigIntegerField(_("版本"), default=0)
    changed_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self):
        return f"{self.number} {self.changed_at:%Y-%m-%d %H:%M:%S}"

    # Row 1 moves with what the verdicts read (approved figures, targets); row WORK with every figure, round and
    # notice, for what the season's pages count (to-do, header count; figures/todo.py); row SETUP with the plans,
    # their reporting years and the districts, which every page's header and district chooser show
    # (figures/versions.py; figures/signals.py bumps it, and the others, on any change to them, whatever the path).
    WORK = 2
    SETUP = 3
    ROWS = (1, WORK, SETUP)

    # Within one transaction rows are bumped in ascending order (1, WORK, SETUP: the write pipeline bumps row 1 then
    # WORK), so two writers never wait for each other's rows in a cycle (a deadlock on PostgreSQL). A change to what
    # SETUP covers therefore bumps every row (bump_all), which also suits it: plans and districts are on every page.
    @classmethod
    def bump_all(cls, using=None):
        for row in cls.ROWS:
            cls.bump(row, using=using)

    @classmethod
    def bump(cls, row=1, using=None):
        rows = cls.objects.using(using)
        if not rows.filter(pk=row).update(number=models.F("number") + 1, changed_at=timezone.now()):
            rows.get_or_create(pk=row)

    @classmethod
    def current(cls, row=1):
        """A key part: "number-timestamp", or "0" before the first write."""
        return cls.current_rows((row,))[row]

    @classmethod
    def current_rows(cls, rows=ROWS):
        """{row: key part} of these rows, in one query."""
        found = cls.objects.filter(pk__in=rows).values_list("pk", "number", "changed_at")
        keys = {pk: f"{number}-{changed_at.timestamp()}" for pk, number, changed_at in found}
        return {row: keys.get(row, "0") for row in rows}


class PendingUpload(models.Model):
    """An uploaded file between its preview and its confirmation, kept in the database so that any app server
    can confirm it. `versions` are the figures' versions the preview was made from; confirming refuses the
    whole file if any of them changed since. Kept for a day (excel_import.UPLOAD_LIFETIME)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("上传人")
    )
    data = models.BinaryField(_("文件内容"))
    filename = models.CharField(_("文件名"), max_length=200)
    action = models.CharField(_("操作"), max_length=10)
    versions = models.JSONField(_("预览时的数据版本"), default=list)
    # What the preview page shows, computed once when the file is uploaded (a plan workbook's trial load).
    preview = models.JSONField(_("预览结果"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("待确认的上传")
        verbose_name_plural = _("待确认的上传")

    def __str__(self):
        return f"{self.user} {self.filename}"


class NoticeKind(models.TextChoices):
    RETURNED = "returned", _("数据被退回")
    SUBMITTED = "submitted", _("数据待审核")
    APPROVED = "approved", _("数据审核通过")
    DEADLINE = "deadline", _("截止日期临近")
    LOCKED = "locked", _("年度已锁定")


class Notice(models.Model):
    """A message to one user about the reporting season (figures/notices.py): shown on 待办, mailed once by
    `send_notices`. Its words are composed when shown or mailed, in the recipient's language."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", verbose_name=_("收件人")
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("规划"))
    kind = models.CharField(_("类型"), max_length=20, choices=NoticeKind.choices)
    year = models.PositiveSmallIntegerField(_("年份"))
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("地区")
    )
    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("数据")
    )
    count = models.PositiveIntegerField(_("项数"), default=1)
    days = models.PositiveSmallIntegerField(_("剩余天数"), null=True, blank=True)
    comment = models.TextField(_("审核意见"), blank=True)
    # Deadline reminders are made once per user, round and distance (send_notices may run many times a day).
    key = models.CharField(_("去重键"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""), name="notice_unique_key"),
            models.CheckConstraint(condition=Q(kind__in=NoticeKind.values), name="notice_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notice_user_unread"),
            models.Index(fields=["mailed_at"], name="notice_unmailed"),
        ]

    def __str__(self):
        return f"{self.user} {self.kind} {self.year}"


class Profile(models.Model):
    """What planboard remembers of a user beyond django.contrib.auth: the language he last chose, in which his
    notices and mails are written."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="planboard_profile", verbose_name=_("用户")
    )
    language = models.CharField(_("语言"), max_length=10, default=settings.LANGUAGE_CODE)

    class Meta:
        verbose_name = _("用户设置")
        verbose_name_plural = _("用户设置")

    def __str__(self):
        return f"{self.user} {self.language}"


# History rows keep their change reason in Chinese, whoever's language; it is translated when shown.
RESTORED = gettext_noop("恢复为第%(version)d版")
RESTORED_PATTERN = re.compile(r"恢复为第(\d+)版")


def shown_reason(reason):
    """A history row's change reason in the reader's language (they are stored in Chinese)."""
    restored = RESTORED_PATTERN.fullmatch(reason or "")
    if restored:
        return gettext(RESTORED) % {"version": int(restored[1])}
    return gettext(reason) if reason else reason
