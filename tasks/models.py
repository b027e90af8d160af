"""The plan's task list (附件1) and the key-project targets that are followed as text."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from indicators.models import Confidence, Direction, Operator, Plan


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
