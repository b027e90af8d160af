"""The plan as data: plans, districts, indicators, their targets and the yearly observations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Round
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators import progress


class Confidence(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")
    MISSING = "missing", _("缺失")


# Restorations the reference marks as guesses or absent need an administrator's eye.
NEEDS_REVIEW = {Confidence.LOW, Confidence.MISSING}


class PlanQuerySet(models.QuerySet):
    def current(self):
        """The plan people work on now: the latest one loaded."""
        return self.order_by("-base_year", "-pk").first()


class Plan(models.Model):
    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    base_year = models.PositiveSmallIntegerField(_("基期年份"))
    target_year = models.PositiveSmallIntegerField(_("目标年份"))
    ahead_ratio = models.DecimalField(
        _("快于预期阈值"),
        max_digits=4,
        decimal_places=2,
        default=1.10,
        help_text=_("实际进展与应达进展之比不低于此值为快于预期。"),
    )
    on_track_ratio = models.DecimalField(
        _("符合预期阈值"),
        max_digits=4,
        decimal_places=2,
        default=0.90,
        help_text=_("实际进展与应达进展之比不低于此值为符合预期。"),
    )
    large_move_share = models.DecimalField(
        _("大幅变动比例"),
        max_digits=4,
        decimal_places=2,
        default=0.20,
        help_text=_("与上年相比变动超过此比例的数值需确认并说明。"),
    )
    large_move_points = models.DecimalField(
        _("大幅变动百分点"),
        max_digits=5,
        decimal_places=2,
        default=5,
        help_text=_("百分比指标与上年相比变动超过此百分点需确认并说明。"),
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("规划")
        verbose_name_plural = _("规划")
        constraints = [
            models.CheckConstraint(condition=Q(target_year__gt=models.F("base_year")), name="plan_target_after_base"),
        ]

    def __str__(self):
        return self.name

    def assess(self, *, as_of, indicators=None, districts=None, candidates=None):
        """Progress of each (indicator, district) pair that has targets or approved figures, as of a year.

        Returns {(indicator_id, district_id): progress.Assessment}. Three queries, whatever the data size;
        pass `indicators` or `districts` (querysets or lists) to narrow it. `candidates`
        ({(indicator_id, district_id): {year: value}}) judges figures not yet approved as if they were.
        """
        by_id, milestones, values = self._progress_inputs(indicators, districts, up_to=as_of)
        for key, figures_by_year in (candidates or {}).items():
            values.setdefault(key, {}).update(figures_by_year)
        return {
            key: self._assess_pair(by_id[key[0]], milestones.get(key, []), values.get(key, {}), as_of)
            for key in milestones.keys() | values.keys()
            if key[0] in by_id
        }

    def statuses_by_year(self, *, indicators=None, districts=None):
        """Yield (indicator_id, district_id, as_of, status) for every plan year; three queries.

        What `Standing` keeps, so that overviews of many districts count statuses instead of judging figures.
        """
        by_id, milestones, values = self._progress_inputs(indicators, districts, up_to=self.target_year)
        for key in milestones.keys() | values.keys():
            if key[0] in by_id:
                for as_of in range(self.base_year + 1, self.target_year + 1):
                    assessment = self._assess_pair(by_id[key[0]], milestones.get(key, []), values.get(key, {}), as_of)
                    yield (*key, as_of, assessment.status)

    def _progress_inputs(self, indicators, districts, *, up_to):
        indicator_rows = Indicator.objects.filter(plan=self)
        # No ordering: the models' default one would join districts and sort rows nobody reads in order.
        targets = Target.objects.filter(indicator__plan=self).order_by()
        figures = Observation.objects.approved().filter(indicator__plan=self, year__lte=up_to).order_by()
        if indicators is not None:
            indicator_rows = indicator_rows.filter(pk__in=[getattr(i, "pk", i) for i in indicators])
            targets = targets.filter(indicator__in=indicator_rows)
            figures = figures.filter(indicator__in=indicator_rows)
        if districts is not None:
            ids = [getattr(d, "pk", d) for d in districts]
            targets, figures = targets.filter(district__in=ids), figures.filter(district__in=ids)
        by_id = {i.pk: i for i in indicator_rows}
        milestones, values = {}, {}
        for t in targets.values_list("indicator_id", "district_id", "year", "value", "operator", "upper"):
            milestones.setdefault(t[:2], []).append(progress.Milestone(t[2], t[3], t[4], t[5]))
        for indicator_id, district_id, year, value in figures.values_list(
            "indicator_id", "district_id", "year", "value"
        ):
            values.setdefault((indicator_id, district_id), {})[year] = value
        return by_id, milestones, values

    def _assess_pair(self, indicator, milestones, values, as_of):
        return progress.assess(
            values=values,
            milestones=milestones,
            direction=indicator.direction,
            cumulative=indicator.cumulative,
            base_year=self.base_year,
            as_of=as_of,
            ahead_at=float(self.ahead_ratio),
            on_track_at=float(self.on_track_ratio),
            decimals=indicator.decimals,
        )


class DistrictKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("设区市")
    ZONE = "zone", _("综合实验区")
    COUNTY = "county", _("县（市、区）")


class DistrictQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.has_perm("indicators.view_all_districts"):
            return self
        return self.filter(members=user)


class District(models.Model):
    """An administrative division. Divisions outlive plans, so districts are shared by every plan."""

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    short_name = models.CharField(_("简称"), max_length=20)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    slug = models.SlugField(_("英文简称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DistrictKind.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="districts", verbose_name=_("填报人员")
    )

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("地区")
        verbose_name_plural = _("地区")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DistrictKind.values), name="district_kind_valid"),
        ]

    def __str__(self):
        return self.short_name or self.name

    @property
    def display_name(self):
        return in_english(self.name, self.name_en)

    @property
    def display_short_name(self):
        """What str() shows (简称), in English on English pages."""
        return in_english(str(self), self.name_en)

    @property
    def is_province(self):
        return self.kind == DistrictKind.PROVINCE


def in_english(name, name_en):
    """The English name on English pages when the plan data has one; the Chinese name otherwise."""
    return name_en if name_en and (get_language() or "").startswith("en") else name


class Direction(models.TextChoices):
    INCREASE = "increase", _("越高越好")
    DECREASE = "decrease", _("越低越好")


class Attribute(models.TextChoices):
    UNKNOWN = "", _("未知")
    BINDING = "约束性", _("约束性")
    EXPECTED = "预期性", _("预期性")


class IndicatorQuerySet(models.QuerySet):
    def for_plan(self, plan):
        return self.filter(plan=plan)

    def reported_by(self, district):
        """What a district reports: the province reports everything, others what they have targets for."""
        if district.is_province:
            return self
        return self.filter(targets__district=district).distinct()


class Indicator(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("规划"))
    code = models.SlugField(_("代码"), max_length=80)
    group = models.CharField(_("分组"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=2)
    min_value = models.DecimalField(_("合理下限"), max_digits=18, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("合理上限"), max_digits=18, decimal_places=4, null=True, blank=True)
    whole_number = models.BooleanField(_("只取整数"), default=False, help_text=_("学校数、县数等计数。"))
    attribute = models.CharField(_("属性"), max_length=10, choices=Attribute.choices, blank=True)
    definition = models.TextField(_("指标解释（统计口径）"), blank=True)
    section = models.CharField(_("出处"), max_length=20, help_text=_("如 专栏1、附件2。"))
    source_detail = models.CharField(_("出处详情"), max_length=200, blank=True)
    cumulative = models.BooleanField(_("累计值"), default=False, help_text=_("自基期年起的累计数，逐年填报累计总数。"))
    task = models.ForeignKey(
        "tasks.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("所属任务"),
    )
    confidence = models.CharField(_("复原可信度"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    needs_review = models.BooleanField(_("待核实"), default=False)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["plan", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique_in_plan"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="indicator_direction_valid"),
            models.CheckConstraint(condition=Q(attribute__in=Attribute.values), name="indicator_attribute_valid"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="indicator_bounds_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("indicators:detail", args=[self.code])

    @property
    def display_name(self):
        return in_english(self.name, self.name_en)

    @property
    def is_rate(self):
        return self.unit == "%"


class Operator(models.TextChoices):
    PLAIN = "", _("达到")
    GE = "≥", "≥"
    GT = ">", ">"
    LE = "≤", "≤"
    LT = "<", "<"


class Target(models.Model):
    """A milestone: the value an indicator should reach in one district by one year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("指标"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="targets", verbose_name=_("地区"))
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=4)
    upper = models.DecimalField(
        _("目标上限"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("“力争3~5个”这类区间目标的上限；按下限判断是否达成。"),
    )
    operator = models.CharField(_("运算符"), max_length=1, choices=Operator.choices, blank=True)

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["indicator", "district__order", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "district", "year"], name="target_unique_cell"),
            models.CheckConstraint(condition=Q(operator__in=Operator.values), name="target_operator_valid"),
            models.CheckConstraint(
                condition=Q(upper__isnull=True) | Q(upper__gte=models.F("value")), name="target_range_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.district} {self.year}: {self.display}"

    @property
    def display(self):
        """The target as the plan prints it: '>99', '力争3~5' style ranges, bare numbers without a sign."""
        value = _plain(self.value)
        if self.upper is not None and self.upper != self.value:
            value = f"{value}~{_plain(self.upper)}"
        return f"{self.operator}{value}"


def _plain(number):
    return format(number.normalize(), "f") if number is not None else ""


class ObservationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


DEMO_SOURCE = "示例数据"


class ObservationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reviewers and analysts see every figure, leaders every approved one; officials their own districts'."""
        if user.has_perm("indicators.view_all_districts"):
            if user.has_perm("indicators.review_observation") or user.has_perm("indicators.enter_all_districts"):
                return self
            # Work in progress stays with its district and the reviewers until it is approved.
            return self.approved()
        return self.filter(district__members=user)

    def approved(self):
        return self.filter(status=ObservationStatus.APPROVED)

    def with_previous(self):
        """Annotate the same cell's figure of the year before (`previous_value`) and the change from it."""
        previous = Observation.objects.filter(
            indicator=models.OuterRef("indicator"),
            district=models.OuterRef("district"),
            year=models.OuterRef("year") - 1,
        )
        figure = models.DecimalField(max_digits=18, decimal_places=4)
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
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4)
    status = models.CharField(
        _("状态"), max_length=10, choices=ObservationStatus.choices, default=ObservationStatus.DRAFT
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
    history = HistoricalRecords(verbose_name=_("数据修改记录"))

    objects = ObservationQuerySet.as_manager()

    class Meta:
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

    class Meta:
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
        verbose_name = _("进展状态")
        verbose_name_plural = _("进展状态")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "district", "as_of"], name="standing_unique"),
            models.CheckConstraint(condition=Q(status__in=list(progress.STATUS_LABELS)), name="standing_status_valid"),
        ]
        indexes = [models.Index(fields=["plan", "as_of", "district", "status"], name="standing_overview")]

    def __str__(self):
        return f"{self.indicator} {self.district} {self.as_of}: {self.status}"
