from django import template

from tasks.models import TaskStatus

register = template.Library()


@register.filter
def task_status_label(code):
    """The Chinese label of a task report status: "in_progress" → 推进中."""
    return TaskStatus(code).label if code in TaskStatus.values else code
