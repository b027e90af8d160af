"""The plan's task list (附件1) and the key-project targets that are followed as text."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import Confidence, Direction, Operator, Plan, in_english


class TaskQuerySet(models.QuerySet):
    def with_year_status(self, year):
        """Annotate `year_status`, the status of each task's report for `year` (None when not reported),
        and `status_rank`, which sorts what needs attention first: unreported, lagging, not started, under way, done."""
        status = TaskReport.objects.filter(task=models.OuterRef("pk"), year=year).values("status")[:1]
        order = [TaskStatus.LAGGING, TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED]
        ranks = [models.When(year_status=code, then=rank) for rank, code in enumerate(order, start=1)]
        return self.annotate(year_status=models.Subquery(status)).annotate(
            status_rank=models.Case(*ranks, default=0, output_field=models.IntegerField())
        )


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("规划"))
    number = models.PositiveSmallIntegerField(_("序号"))
    category = models.CharField(_("类别"), max_length=100)
    title = models.CharField(_("任务"), max_length=200, blank=True)
    title_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    department = models.CharField(
        _("责任单位"), max_length=200, blank=True, help_text=_("规划原文未载明的留空，由管理员补充。")
    )
    confidence = models.CharField(_("复原可信度"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    needs_review = models.BooleanField(_("待核实"), default=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="task_number_unique_in_plan"),
            models.CheckConstraint(condition=Q(confidence__in=Confidence.values), name="task_confidence_valid"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title or _('（原文缺失）')}"

    def get_absolute_url(self):
        return reverse("tasks:detail", args=[self.number])

    @property
    def display_title(self):
        return in_english(self.title, self.title_en)


class TaskItem(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="items", verbose_name=_("任务"))
    order = models.PositiveSmallIntegerField(_("排序"))
    content = models.TextField(_("内容"))
    quantitative_target = models.CharField(_("量化目标"), max_length=200, blank=True)
    confidence = models.CharField(_("复原可信度"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    needs_review = models.BooleanField(_("待核实"), default=False)

    class Meta:
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
    year = models.PositiveSmallIntegerField(_("年份"))
    kind = models.CharField(_("类型"), max_length=30)
    operator = models.CharField(_("运算符"), max_length=1, choices=Operator.choices, blank=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices, blank=True)
    untracked_reason = models.CharField(_("不量化跟踪的原因"), max_length=30, blank=True)
    confidence = models.CharField(_("复原可信度"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    needs_review = models.BooleanField(_("待核实"), default=False)

    class Meta:
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


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    COMPLETED = "completed", _("已完成")
    LAGGING = "lagging", _("滞后")


EVIDENCE_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png", "zip"]
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def validate_evidence_size(file):
    if file.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("佐证材料不能超过 %(mb)d MB。"), code="too_large", params={"mb": EVIDENCE_MAX_BYTES // (1024 * 1024)}
        )


class TaskReport(models.Model):
    """A task's progress in one year: its status, what was done and the evidence, with every change kept."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports", verbose_name=_("任务"))
    year = models.PositiveSmallIntegerField(_("年份"))
    status = models.CharField(_("进展状态"), max_length=12, choices=TaskStatus.choices)
    summary = models.TextField(_("进展情况"))
    evidence_links = models.TextField(_("佐证链接"), blank=True, help_text=_("每行一个网址。"))
    evidence_file = models.FileField(
        _("佐证材料"),
        upload_to="task-reports/%Y/",
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS), validate_evidence_size],
        help_text=_("PDF、Word、Excel、图片或 ZIP，不超过 10 MB。"),
    )
    text_target_notes = models.TextField(
        _("文字目标进展"), blank=True, help_text=_("本任务各项文字目标（如每县标准、逐年降低）的落实情况。")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    entered_at = models.DateTimeField(_("填报时间"))
    history = HistoricalRecords(verbose_name=_("任务进展修改记录"))

    class Meta:
        verbose_name = _("任务年度进展")
        verbose_name_plural = _("任务年度进展")
        ordering = ["task", "-year"]
        permissions = [("report_task", _("填报任务进展"))]
        constraints = [
            models.UniqueConstraint(fields=["task", "year"], name="taskreport_unique_year"),
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values), name="taskreport_status_valid"),
            models.CheckConstraint(condition=~Q(summary=""), name="taskreport_summary_not_empty"),
        ]

    def __str__(self):
        return f"{self.task.number} {self.year}: {self.get_status_display()}"

    @property
    def links(self):
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]
