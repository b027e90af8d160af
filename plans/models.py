"""The plan as data: plans, districts, indicators, their targets, and the tasks and text targets of its annexes."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans import explanations
from plans import rules as plan_rules
from plans.numbers import DECIMALS, number_field, within_limit
from plans.progress import Milestone


class Confidence(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")
    MISSING = "missing", _("缺失")


# Restorations the reference marks as guesses or absent need an administrator's eye.
NEEDS_REVIEW = {Confidence.LOW, Confidence.MISSING}


# Words the site's own addresses use after /plans/ (/plans/workbook/ is a page of its own, not a plan's prefix
# /plans/<code>/): a plan of that code would hide the page, or the page the plan. A test keeps this list complete.
RESERVED_PLAN_CODES = frozenset({"workbook"})


def plan_code_problem(code):
    """Why `code` cannot be a plan's code, or None: the one rule for the admin, the loader and the workbook."""
    if (code or "").lower() in RESERVED_PLAN_CODES:
        return _("“%(code)s”是网址保留字，不能作为规划代码。") % {"code": code}
    return None


def not_reserved(code):
    problem = plan_code_problem(code)
    if problem:
        raise ValidationError(problem, code="reserved")


# The ranges numbers of the plan data may take: what each number means, and what its column holds. The workbook
# and the admin check them through the fields' validators (Field.run_validators), so each has one home here.
YEARS = [MinValueValidator(1900), MaxValueValidator(2200)]
SMALL = [MaxValueValidator(32767)]  # a PositiveSmallIntegerField on PostgreSQL
# The longest plan: a five-year plan is 5 years, a modernisation plan to 2035 sixteen.
PLAN_YEARS_AT_MOST = 30
# A figure keeps at most plans.numbers.DECIMALS decimals, so an indicator cannot be shown with more.
DECIMALS_AT_MOST = DECIMALS


def plan_years_problem(base_year, target_year):
    """Why a plan cannot run from `base_year` to `target_year`, or None."""
    if target_year <= base_year:
        return _("目标年份须晚于基期年份。")
    if target_year > base_year + PLAN_YEARS_AT_MOST:
        return _("目标年份最多比基期年份晚 %(years)d 年。") % {"years": PLAN_YEARS_AT_MOST}
    return None


def closed_years(base_year, target_year):
    """The years a plan closes once its final year is locked: all of its own, the base year included."""
    return range(base_year, target_year + 1)


class PlanQuerySet(models.QuerySet):
    def current_first(self):
        """The plans, the current one first: the one an administrator marked current (is_current), or in a
        database where none is marked yet, the latest base year; then the newest plans first."""
        return self.order_by("-is_current", "-base_year", "-pk")

    def current(self):
        """The plan people work on now (see current_first)."""
        return self.current_first().first()

    def with_read_only(self):
        """Plans that know whether they are read-only (Plan.is_read_only) without a query each."""
        years = self.model._meta.get_field("reporting_years").related_model.objects
        final = years.filter(plan=OuterRef("pk"), year=OuterRef("target_year"), locked=True)
        return self.annotate(final_year_locked=Exists(final))


class Plan(models.Model):
    code = models.SlugField(
        _("代码"),
        max_length=50,
        unique=True,
        validators=[not_reserved],
        help_text=_("网址中的规划代码：/plans/代码/。"),
    )
    name = models.CharField(_("名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    base_year = models.PositiveSmallIntegerField(_("基期年份"), validators=YEARS)
    target_year = models.PositiveSmallIntegerField(_("目标年份"), validators=YEARS)
    ahead_ratio = models.DecimalField(
        _("快于预期阈值"),
        max_digits=4,
        decimal_places=2,
        default=1.10,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("实际进展与应达进展之比不低于此值为快于预期。"),
    )
    on_track_ratio = models.DecimalField(
        _("符合预期阈值"),
        max_digits=4,
        decimal_places=2,
        default=0.90,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("实际进展与应达进展之比不低于此值为符合预期。"),
    )
    large_move_share = models.DecimalField(
        _("大幅变动比例"),
        max_digits=4,
        decimal_places=2,
        default=0.20,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(10)],
        help_text=_("与上年相比变动超过此比例的数值需确认并说明。"),
    )
    large_move_points = models.DecimalField(
        _("大幅变动百分点"),
        max_digits=5,
        decimal_places=2,
        default=5,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
        help_text=_("百分比指标与上年相比变动超过此百分点需确认并说明。"),
    )
    review_levels = models.PositiveSmallIntegerField(
        _("审核层级"),
        choices=[(1, _("省级审核")), (2, _("市级、省级两级审核"))],
        default=1,
        help_text=_(
            "2：各地区数据先由本市审核员审核，再由省级审核员终审（全省数据和没有市级审核员的地区直接由省级审核）。"
        ),
    )
    is_current = models.BooleanField(
        _("当前规划"),
        default=False,
        help_text=_("打开网站时默认显示的规划；同一时间只有一个。载入新规划不会改变当前规划。"),
    )
    published = models.BooleanField(
        _("公开数据"),
        default=False,
        help_text=_("勾选后，无需登录即可在 /open/规划代码/ 查看和下载本规划的指标说明与审核通过的数据。"),
    )

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("规划修改记录"))

    class Meta:
        permissions = [("load_plan", _("下载、上传规划工作簿"))]
        # Tables keep the names of the apps these models were first created in, so existing databases move
        # to this layout without copying a row (migrations 0001 of plans and figures).
        db_table = "indicators_plan"
        verbose_name = _("规划")
        verbose_name_plural = _("规划")
        constraints = [
            models.CheckConstraint(condition=Q(target_year__gt=models.F("base_year")), name="plan_target_after_base"),
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="plan_one_current"),
            models.CheckConstraint(condition=Q(review_levels__in=(1, 2)), name="plan_review_levels_1_or_2"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.base_year is not None and self.target_year is not None:
            problem = plan_years_problem(self.base_year, self.target_year) or self.chains_problem()
            if problem:
                raise ValidationError({"target_year": problem})

    def chains_problem(self):
        """Why the plan's years, as they are now, break a continuation from or into one of its indicators."""
        if self.pk is None:
            return None
        links = Indicator.objects.filter(Q(plan=self, continues__isnull=False) | Q(continues__plan=self))
        for later in links.select_related("plan", "continues__plan"):
            if later.plan_id == self.pk:
                later.plan = self
            else:
                later.continues.plan = self
            problem = later.continuation_problem()
            if problem:
                return problem
        return None

    @property
    def period(self):
        """The years the plan covers after its base year, as its title says them: 2021–2025."""
        return f"{self.base_year + 1}–{self.target_year}"

    def make_current(self):
        """Mark this plan current and no other, in one transaction (the constraint allows one current plan)."""
        with transaction.atomic():
            # One by one, not update(): the plans' change history records who switched them.
            for other in Plan.objects.select_for_update().filter(is_current=True).exclude(pk=self.pk):
                other.is_current = False
                other.save(update_fields=["is_current"])
            self.is_current = True
            self.save(update_fields=["is_current"])

    def is_read_only(self, locked_years=None):
        """A plan whose final (target) year is locked is closed: no figure of any of its years changes any more.

        `locked_years`: the plan's locked years, when the caller has read them already (no query then, nor for a
        plan read with PlanQuerySet.with_read_only)."""
        if locked_years is not None:
            return self.target_year in locked_years
        if not hasattr(self, "final_year_locked"):
            self.final_year_locked = self.reporting_years.filter(year=self.target_year, locked=True).exists()
        return self.final_year_locked

    def closes(self, year):
        """Whether this plan forbids changing a figure of `year`: every year of its own once it is read-only. A
        figure it shares with a later plan (README, "Figures two plans share") stays open in the later plan's
        later years."""
        return year in closed_years(self.base_year, self.target_year) and self.is_read_only()

    @property
    def read_only_message(self):
        return _("%(plan)s的目标年度（%(year)d年）已锁定，规划已结束，数据只能查看，不能再修改。") % {
            "plan": self.name,
            "year": self.target_year,
        }


class DistrictKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("设区市")
    ZONE = "zone", _("综合实验区")
    COUNTY = "county", _("县（市、区）")


class DistrictQuerySet(models.QuerySet):
    def provinces(self):
        return self.filter(kind=DistrictKind.PROVINCE)

    def province(self):
        """The division whose plan this is: the one district of kind 省."""
        return self.provinces().get()


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
        db_table = "indicators_district"
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

    def reports(self, indicator, targeted):
        """Does this district report `indicator`? The province reports every indicator, other districts those
        they have a target for; `targeted` holds the (indicator id, district id) pairs with targets.
        `IndicatorQuerySet.reported_by` is the same rule in SQL."""
        return self.is_province or (getattr(indicator, "pk", indicator), self.pk) in targeted


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
        """What a district reports, in SQL (`District.reports` says it for rows already read)."""
        if district.is_province:
            return self
        return self.filter(targets__district=district).distinct()


class Indicator(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("规划"))
    code = models.SlugField(_("代码"), max_length=80)
    group = models.CharField(_("分组"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0, validators=SMALL)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    unit_en = models.CharField(_("英文单位"), max_length=60, blank=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    decimals = models.PositiveSmallIntegerField(
        _("小数位数"), default=2, validators=[MaxValueValidator(DECIMALS_AT_MOST)]
    )
    min_value = number_field(_("合理下限"), null=True, blank=True)
    max_value = number_field(_("合理上限"), null=True, blank=True)
    whole_number = models.BooleanField(_("只取整数"), default=False, help_text=_("学校数、县数等计数。"))
    attribute = models.CharField(_("属性"), max_length=10, choices=Attribute.choices, blank=True)
    definition = models.TextField(_("指标解释"), blank=True, help_text=_("指标的含义与计算方法。"))
    scope = models.TextField(_("统计口径"), blank=True, help_text=_("统计范围、时点和包含的对象。"))
    data_source = models.CharField(_("数据来源"), max_length=200, blank=True, help_text=_("如教育事业统计年报。"))
    responsible_office = models.CharField(_("责任处室"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True, help_text=_("内部备注，不公开。"))
    section = models.CharField(_("出处"), max_length=20, help_text=_("规划中的出处，如专栏、附件的编号。"))
    source_detail = models.CharField(_("出处详情"), max_length=200, blank=True)
    cumulative = models.BooleanField(_("累计值"), default=False, help_text=_("自基期年起的累计数，逐年填报累计总数。"))
    level_gap = number_field(
        _("差距阈值"),
        null=True,
        blank=True,
        help_text=_(
            "目标与基期值相差不超过此值时，不按进度判断，只看是否保持基期水平；留空时百分比指标为0.5个百分点，其他为目标值的1%。"
        ),
    )
    task = models.ForeignKey(
        "Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("所属任务"),
    )
    is_main = models.BooleanField(_("主要指标"), default=False, help_text=_("规划的主要指标表所列指标。"))
    sum_check = models.BooleanField(
        _("分地区加总校核"), default=False, help_text=_("各地区的目标与数据之和应等于全省。")
    )
    sum_tolerance = models.DecimalField(
        _("加总容差"),
        max_digits=12,
        decimal_places=4,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("各地区之和与全省之差不超过此值即视为一致（按位数修约造成的差）。"),
    )
    district_order = models.PositiveSmallIntegerField(
        _("分地区表列序"), null=True, blank=True, validators=SMALL, help_text=_("在分地区目标表中的列序。")
    )
    # Plan data: an indicator whose districts' changes are not alike by nature (a count that moves by whole
    # schools in a few districts) may turn the outlier flags off (figures/outliers.py).
    skip_outliers = models.BooleanField(
        _("不检查异常值"),
        default=False,
        help_text=_("勾选后，审核列表、填报页和数据质量页不再标出该指标的异常值。"),
    )
    confidence = models.CharField(_("复原可信度"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    needs_review = models.BooleanField(_("待核实"), default=False)
    continues = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name=_("延续指标"),
        help_text=_("上一规划中统计口径相同的指标：两个规划共用同一组数据，只填报一次。"),
    )

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("指标修改记录"))

    class Meta:
        db_table = "indicators_indicator"
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
            models.CheckConstraint(
                condition=Q(continues__isnull=True) | ~Q(continues=models.F("id")), name="indicator_continues_not_self"
            ),
            *(
                models.CheckConstraint(condition=within_limit(name), name=f"indicator_{name}_within_limit")
                for name in ("min_value", "max_value", "level_gap")
            ),
            # A statistic goes on in one indicator of the next plan, not two.
            models.UniqueConstraint(fields=["continues"], name="indicator_continued_once"),
        ]

    def __str__(self):
        return self.name

    @property
    def shown_decimals(self):
        """The decimals a figure of this indicator is shown with: none for a count or a rank (56, not 56.00)."""
        return 0 if self.whole_number else self.decimals

    @property
    def display_name(self):
        return in_english(self.name, self.name_en)

    @property
    def display_unit(self):
        return in_english(self.unit, self.unit_en)

    @property
    def is_rate(self):
        return self.unit == "%"

    def change(self, previous, value):
        """How far `value` moved from `previous`, as the plan's large moves are measured: in points for a rate, as a
        share of `previous` otherwise; None without a `previous` (or with 0, for a share)."""
        if previous is None:
            return None
        if self.is_rate:
            return value - previous
        if not previous:
            return None
        return (value - previous) / previous

    @property
    def statistic(self):
        """The indicator this one's figures are stored on: the first of its `continues` chain, so that a figure
        two plans share (the last year of one, the base year of the next) is entered and stored once.
        `statistics` is the same rule for many indicators at once."""
        indicator, seen = self, {self.pk}
        while indicator.continues_id is not None and indicator.continues_id not in seen:
            indicator = indicator.continues
            seen.add(indicator.pk)
        return indicator

    def clean(self):
        super().clean()
        problem = self.chain_problem()
        if problem:
            raise ValidationError({"continues": problem})

    def chain_problem(self):
        """Why this indicator cannot stand where it is in its `continues` chain, or None: the whole chain is
        checked, from both ends. Its own link (`continuation_problem`), no circle back to itself, and the link of
        each indicator continuing it, judged with this indicator as it is now (its unit, direction, decimals,
        累计值 and its plan's years)."""
        problem = self.continuation_problem()
        if problem:
            return problem
        seen, earlier = {self.pk}, self.continues
        while earlier is not None and self.pk is not None:
            if earlier.pk in seen:
                return _("“%(name)s”的延续关系绕回了它自己：延续只能从上一规划到下一规划。") % {"name": self.name}
            seen.add(earlier.pk)
            earlier = earlier.continues
        return self.later_links_problem()

    def later_links_problem(self):
        """Why an indicator continuing this one could no longer do so, or None."""
        if self.pk is None:
            return None
        for later in Indicator.objects.filter(continues=self.pk).select_related("plan"):
            later.continues = self
            problem = later.continuation_problem()
            if problem:
                key = f"{later.plan.code}/{later.code}"
                return _("%(key)s延续本指标：%(problem)s") % {"key": key, "problem": problem}
        return None

    def continuation_problem(self):
        """Why this indicator cannot continue the one it names, or None: it must be the same statistic (unit,
        direction, decimals) of an earlier plan that ends by this plan's base year, and have no figures of its own
        (they would be hidden behind the earlier indicator's)."""
        earlier = self.continues
        if earlier is None:
            return None
        words = {"name": self.name, "earlier": earlier.name, "plan": earlier.plan.name}
        if earlier.pk == self.pk or earlier.plan_id == self.plan_id:
            return _("“%(name)s”不能延续同一规划中的指标“%(earlier)s”。") % words
        if earlier.plan.target_year > self.plan.base_year:
            return _("“%(name)s”只能延续在本规划基期年份前结束的规划中的指标，“%(plan)s”尚未结束。") % words
        if self.cumulative or earlier.cumulative:
            # A running total starts again from nothing in each plan's base year.
            return _("“%(name)s”或“%(earlier)s”是累计值，不能延续。") % words
        for field in ("unit", "direction", "decimals"):
            if getattr(self, field) != getattr(earlier, field):
                message = _(
                    "“%(name)s”的%(field)s（%(mine)s）与所延续的“%(earlier)s”（%(theirs)s）不同，不是同一统计指标。"
                )
                return message % {
                    **words,
                    "field": self._meta.get_field(field).verbose_name,
                    "mine": getattr(self, field),
                    "theirs": getattr(earlier, field),
                }
        if self.pk is not None and self.observations.exists():
            return _("“%(name)s”已有自己的数据，不能再延续其他指标。") % words
        return continued_elsewhere(earlier, self.plan_id, self.code)


def continued_elsewhere(earlier, plan_id, code):
    """Why `earlier` cannot be continued by the indicator `code` of the plan `plan_id`, or None: a statistic goes on
    in one indicator of the next plan, not two (the constraint indicator_continued_once)."""
    other = (
        Indicator.objects.filter(continues=earlier).exclude(plan_id=plan_id, code=code).select_related("plan").first()
    )
    if other is None:
        return None
    words = {"earlier": earlier.name, "key": f"{other.plan.code}/{other.code}"}
    return _("“%(earlier)s”已由%(key)s延续：一个指标只能被一个指标延续。") % words


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
    year = models.PositiveSmallIntegerField(_("年份"), validators=YEARS)
    value = number_field(_("目标值"))
    upper = number_field(
        _("目标上限"),
        null=True,
        blank=True,
        help_text=_("“力争3~5个”这类区间目标的上限；按下限判断是否达成。"),
    )
    operator = models.CharField(_("运算符"), max_length=1, choices=Operator.choices, blank=True)

    history = HistoricalRecords(verbose_name=_("目标修改记录"))

    class Meta:
        db_table = "indicators_target"
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["indicator", "district__order", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "district", "year"], name="target_unique_cell"),
            models.CheckConstraint(condition=Q(operator__in=Operator.values), name="target_operator_valid"),
            models.CheckConstraint(
                condition=Q(upper__isnull=True) | Q(upper__gte=models.F("value")), name="target_range_ordered"
            ),
            *(
                models.CheckConstraint(condition=within_limit(name), name=f"target_{name}_within_limit")
                for name in ("value", "upper")
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.district} {self.year}: {self.display}"

    @property
    def display(self):
        return explanations.target_text(self.operator, self.value, self.upper)

    @property
    def milestone(self):
        """The target as `progress.py` reads it."""
        return Milestone(*(getattr(self, name) for name in MILESTONE_FIELDS))


# A target read as a milestone: Target's fields in the order of progress.Milestone's.
MILESTONE_FIELDS = ("year", "value", "operator", "upper")


def milestones_of(targets):
    """{(indicator id, district id): [progress.Milestone], by year} of these targets (a queryset), in one query of
    plain values: how every verdict reads the plan's targets (`Target.milestone` for one)."""
    found = {}
    rows = targets.order_by("year").values_list("indicator_id", "district_id", *MILESTONE_FIELDS)
    for indicator_id, district_id, *fields in rows:
        found.setdefault((indicator_id, district_id), []).append(Milestone(*fields))
    return found


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("规划"))
    number = models.PositiveSmallIntegerField(_("序号"), validators=SMALL)
    category = models.CharField(_("类别"), max_length=100)
    title = models.CharField(_("任务"), max_length=200, blank=True)
    title_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    department = models.CharField(
        _("责任单位"), max_length=200, blank=True, help_text=_("规划原文未载明的留空，由管理员补充。")
    )
    confidence = models.CharField(_("复原可信度"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    needs_review = models.BooleanField(_("待核实"), default=False)

    history = HistoricalRecords(verbose_name=_("任务修改记录"))

    class Meta:
        db_table = "tasks_task"
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="task_number_unique_in_plan"),
            models.CheckConstraint(condition=Q(confidence__in=Confidence.values), name="task_confidence_valid"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title or _('（原文缺失）')}"

    @property
    def display_title(self):
        return in_english(self.title, self.title_en)


class TaskItem(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="items", verbose_name=_("任务"))
    order = models.PositiveSmallIntegerField(_("排序"), validators=SMALL)
    content = models.TextField(_("内容"))
    quantitative_target = models.CharField(_("量化目标"), max_length=200, blank=True)
    confidence = models.CharField(_("复原可信度"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    needs_review = models.BooleanField(_("待核实"), default=False)

    history = HistoricalRecords(verbose_name=_("任务内容修改记录"))

    class Meta:
        db_table = "tasks_taskitem"
        verbose_name = _("任务内容")
        verbose_name_plural = _("任务内容")
        ordering = ["task", "order"]
        constraints = [models.UniqueConstraint(fields=["task", "order"], name="taskitem_order_unique")]

    def __str__(self):
        return f"{self.task.number}.{self.order}"


# Why a key-project row is followed in task reports rather than judged as a number (fixtures REFERENCE.md §5).
UNTRACKED_REASONS = {
    "per_unit_standard": _("每县、每校或每生须达到的标准，无全省单一数值"),
    "annual_change": _("逐年变化量，无全省单一目标值"),
    "threshold": _("条件，不是目标"),
    "meaning_lost": _("原文缺损，不能确定计量对象"),
}


class TextTarget(models.Model):
    """A key-project target that has no single province number to judge, followed in task reports."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="text_targets", verbose_name=_("规划"))
    code = models.SlugField(_("代码"), max_length=80)
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="text_targets", verbose_name=_("任务")
    )
    same_as = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="other_years",
        verbose_name=_("同一目标"),
        help_text=_("同一目标在另一年份的表述。"),
    )
    section = models.CharField(_("出处"), max_length=20)
    source_detail = models.CharField(_("出处详情"), max_length=200, blank=True)
    project = models.CharField(_("重点项目"), max_length=200, blank=True)
    text = models.CharField(_("目标表述"), max_length=300)
    value = models.CharField(_("数值"), max_length=30, blank=True)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    year = models.PositiveSmallIntegerField(_("年份"), validators=YEARS)
    kind = models.CharField(_("类型"), max_length=30)
    operator = models.CharField(_("运算符"), max_length=1, choices=Operator.choices, blank=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices, blank=True)
    untracked_reason = models.CharField(_("不量化跟踪的原因"), max_length=30, blank=True)
    confidence = models.CharField(_("复原可信度"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    needs_review = models.BooleanField(_("待核实"), default=False)

    history = HistoricalRecords(verbose_name=_("文字目标修改记录"))

    class Meta:
        db_table = "tasks_texttarget"
        verbose_name = _("文字目标")
        verbose_name_plural = _("文字目标")
        ordering = ["plan", "section", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="texttarget_code_unique_in_plan"),
        ]

    def __str__(self):
        return self.text

    @property
    def untracked_reason_label(self):
        return UNTRACKED_REASONS.get(self.untracked_reason, self.untracked_reason)


class RuleOperator(models.TextChoices):
    """How a rule's two sides compare. No strict comparison: figures are rounded to their decimals, so "greater"
    and "at least" cannot be told apart; a tolerance says how far rounding may carry a side."""

    GE = plan_rules.GE, "≥"
    LE = plan_rules.LE, "≤"
    EQ = plan_rules.EQ, "="


class RuleWeight(models.TextChoices):
    CONFIRM = plan_rules.CONFIRM, _("需确认")
    WARN = plan_rules.WARN, _("仅提示")


class Rule(models.Model):
    """A rule between indicators (校验规则): in each district it applies to and each year, the sum of its left
    terms compares with the sum of its right terms (`RuleTerm`) by its operator, within its tolerance. The
    arithmetic and what makes a rule unsound are in `plans.rules`; the write pipeline judges figures by it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rules", verbose_name=_("规划"))
    code = models.SlugField(_("代码"), max_length=80)
    name = models.CharField(_("名称"), max_length=200)
    operator = models.CharField(_("运算符"), max_length=1, choices=RuleOperator.choices)
    tolerance = number_field(
        _("容差"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("两边之差不超过此值仍视为成立（各项按小数位数修约造成的差），单位同左边第一项。"),
    )
    districts = models.CharField(
        _("适用地区"),
        max_length=500,
        blank=True,
        help_text=_("留空：所有地区；否则填行政区划代码，以逗号分隔（如只对全省：350000）。"),
    )
    weight = models.CharField(
        _("违反时"),
        max_length=10,
        choices=RuleWeight.choices,
        default=RuleWeight.CONFIRM,
        help_text=_("需确认：违反规则的数据须勾选确认并在说明中写明原因才能保存；仅提示：保存并提示。"),
    )
    reason = models.TextField(_("理由"), help_text=_("规则为什么成立，如指标的定义。"))

    history = HistoricalRecords(verbose_name=_("校验规则修改记录"))

    class Meta:
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="rule_code_unique_in_plan"),
            models.CheckConstraint(condition=Q(operator__in=RuleOperator.values), name="rule_operator_valid"),
            models.CheckConstraint(condition=Q(weight__in=RuleWeight.values), name="rule_weight_valid"),
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="rule_tolerance_not_negative"),
            models.CheckConstraint(condition=within_limit("tolerance"), name="rule_tolerance_within_limit"),
            models.CheckConstraint(condition=~Q(reason=""), name="rule_reason_given"),
        ]

    def __str__(self):
        return self.name

    @property
    def district_codes(self):
        """The codes of the districts the rule applies to; empty: every district."""
        return plan_rules.district_codes(self.districts)

    def applies_to(self, district):
        codes = self.district_codes
        return not codes or district.code in codes

    def sides(self):
        """The left and right sides as written (`plans.rules.side_text`), read from the rule's terms."""
        terms = sorted(self.terms.all(), key=lambda t: (t.side, t.order, t.pk))  # prefetch terms__indicator
        return tuple(
            plan_rules.side_text([plan_rules.Term(t.coefficient, t.indicator.code) for t in terms if t.side == side])
            for side in (RuleSide.LEFT, RuleSide.RIGHT)
        )

    def replace_terms(self, left, right, indicators, *, by=None):
        """Make the rule's sides these terms (`plans.rules.Term`; `indicators` by code), each change in the terms'
        history under `by`. The loader, the workbook and the admin all set a rule's sides here."""
        for term in self.terms.all():
            term._history_user = by
            term.delete()
        for side, terms in ((RuleSide.LEFT, left), (RuleSide.RIGHT, right)):
            for order, term in enumerate(terms):
                row = RuleTerm(
                    rule=self, side=side, order=order, indicator=indicators[term.code], coefficient=term.coefficient
                )
                row._history_user = by
                row.save()


class RuleSide(models.TextChoices):
    LEFT = "left", _("左边")
    RIGHT = "right", _("右边")


class RuleTerm(models.Model):
    """One indicator of a rule's side, with its coefficient (a unit's conversion, or a multiple)."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="terms", verbose_name=_("校验规则"))
    side = models.CharField(_("位置"), max_length=5, choices=RuleSide.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0, validators=SMALL)
    # An indicator a rule names cannot be deleted before the rule stops naming it (RESTRICT, not PROTECT: deleting
    # the whole plan deletes its rules with it).
    indicator = models.ForeignKey(
        Indicator, on_delete=models.RESTRICT, related_name="rule_terms", verbose_name=_("指标")
    )
    coefficient = number_field(_("系数"), default=1)

    history = HistoricalRecords(verbose_name=_("校验规则项修改记录"))

    class Meta:
        verbose_name = _("校验规则项")
        verbose_name_plural = _("校验规则项")
        ordering = ["rule", "side", "order"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "side", "indicator"], name="ruleterm_indicator_once_a_side"),
            models.CheckConstraint(condition=Q(side__in=RuleSide.values), name="ruleterm_side_valid"),
            models.CheckConstraint(condition=~Q(coefficient=0), name="ruleterm_coefficient_not_zero"),
            models.CheckConstraint(condition=within_limit("coefficient"), name="ruleterm_coefficient_within_limit"),
        ]

    def __str__(self):
        return plan_rules.term_text(plan_rules.Term(self.coefficient, self.indicator.code))
