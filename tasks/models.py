"""Yearly progress reports on the plan's tasks (附件1)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models import Task
from plans.text import validate_plain


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
    summary = models.TextField(_("进展情况"), validators=[validate_plain])
    evidence_links = models.TextField(
        _("佐证链接"), blank=True, validators=[validate_plain], help_text=_("每行一个网址。")
    )
    evidence_file = models.FileField(
        _("佐证材料"),
        upload_to="task-reports/%Y/",
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS), validate_evidence_size],
        help_text=_("PDF、Word、Excel、图片或 ZIP，不超过 10 MB。"),
    )
    text_target_notes = models.TextField(
        _("文字目标进展"),
        blank=True,
        validators=[validate_plain],
        help_text=_("本任务各项文字目标（如每县标准、逐年降低）的落实情况。"),
    )
    # Optimistic locking, as for figures: a save names the version it was based on (tasks.services).
    version = models.PositiveIntegerField(_("版本"), default=1)
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


def with_year_status(tasks, year):
    """Annotate `year_status`, the status of each task's report for `year` (None when not reported),
    and `status_rank`, which sorts what needs attention first: unreported, lagging, not started, under way, done."""
    status = TaskReport.objects.filter(task=models.OuterRef("pk"), year=year).values("status")[:1]
    order = [TaskStatus.LAGGING, TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED]
    ranks = [models.When(year_status=code, then=rank) for rank, code in enumerate(order, start=1)]
    return tasks.annotate(year_status=models.Subquery(status)).annotate(
        status_rank=models.Case(*ranks, default=0, output_field=models.IntegerField())
    )
