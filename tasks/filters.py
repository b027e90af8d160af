import django_filters
from django.utils.translation import gettext_lazy as _

from plans.models import Task
from tasks.models import TaskStatus

NOT_REPORTED = "none"


class TaskFilter(django_filters.FilterSet):
    """Filters of the task list; `year_status` is the chosen year's report status annotated by the view."""

    category = django_filters.ChoiceFilter(label=_("类别"), empty_label=_("全部类别"))
    status = django_filters.ChoiceFilter(
        label=_("本年度进展"),
        empty_label=_("全部状态"),
        choices=[*TaskStatus.choices, (NOT_REPORTED, _("未填报"))],
        method="filter_status",
    )
    department = django_filters.CharFilter(label=_("责任单位"), lookup_expr="icontains")

    class Meta:
        model = Task
        fields = ["category", "status", "department"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        categories = Task.objects.filter(plan=plan).order_by("number").values_list("category", flat=True)
        self.filters["category"].extra["choices"] = [(c, c) for c in dict.fromkeys(categories)]

    def filter_status(self, queryset, name, value):
        if value == NOT_REPORTED:
            return queryset.filter(year_status__isnull=True)
        return queryset.filter(year_status=value)
