from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from figures.admin import ReadOnlyAdmin, ShownOnPagesAdmin
from plans.models import Task, TaskItem, TextTarget
from plans.shortcuts import reverse_in
from tasks.models import TaskReport


class TaskItemInline(admin.TabularInline):
    model = TaskItem
    extra = 0


@admin.register(Task)
class TaskAdmin(ShownOnPagesAdmin):
    list_display = ["number", "title", "category", "department", "confidence", "needs_review"]
    list_filter = ["plan", "needs_review", "confidence", "category"]
    list_editable = ["department"]
    search_fields = ["title", "department"]
    inlines = [TaskItemInline]

    def view_on_site(self, task):
        return reverse_in(task.plan, "tasks:detail", [task.number])


@admin.register(TaskItem)
class TaskItemAdmin(ShownOnPagesAdmin):
    list_display = ["__str__", "content", "confidence", "needs_review"]
    list_filter = ["needs_review", "confidence"]


@admin.register(TextTarget)
class TextTargetAdmin(ShownOnPagesAdmin):
    list_display = ["code", "text", "year", "section", "task", "untracked_reason", "needs_review"]
    list_filter = ["plan", "needs_review", "untracked_reason", "section"]
    search_fields = ["code", "text"]


@admin.register(TaskReport)
class TaskReportAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Reports and their history to read; they are written on the task page, through tasks.services."""

    list_display = ["task", "year", "status", "entered_by", "entered_at"]
    list_filter = ["year", "status"]
    search_fields = ["summary", "task__title"]
