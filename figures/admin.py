from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from figures import standings
from figures.models import ApiToken, DataVersion, Observation, ReportingYear
from plans import rules as plan_rules
from plans.models import District, Indicator, Plan, Rule, Target

admin.site.site_header = _("教育规划监测平台 · 管理后台")
admin.site.site_title = _("教育规划监测平台")
admin.site.index_title = _("管理后台")


# Plans, indicators and targets are registered here rather than in plans/, which may not import figures: a change
# to any of them (a target's value, the plan's ahead/on-track ratios) changes the precomputed statuses (Standing),
# and the admin writes around the services, so it refreshes them itself.


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "document_number", "base_year", "target_year", "is_current", "published"]
    # Set with the action, which clears the flag on the other plan in the same transaction.
    readonly_fields = ["is_current"]
    actions = ["make_current"]

    @admin.action(description=_("设为当前规划"))
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个规划。"), messages.ERROR)
            return
        plan = queryset.get()
        plan.make_current()
        self.message_user(request, _("当前规划已改为%(plan)s。") % {"plan": plan.name}, messages.SUCCESS)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        standings.refresh(form.instance)


class ShownOnPagesAdmin(admin.ModelAdmin):
    """Plan content the read pages show (names, departments) but no verdict depends on: a change bumps the data
    version the pages' caches are keyed on, so the next page shows it."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        DataVersion.bump()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        DataVersion.bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        DataVersion.bump()


@admin.register(District)
class DistrictAdmin(ShownOnPagesAdmin):
    list_display = ["code", "name", "short_name", "kind", "order"]
    list_filter = ["kind"]
    filter_horizontal = ["members"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit", "section", "group", "is_main", "cumulative", "confidence", "needs_review"]
    list_filter = [
        "plan",
        "needs_review",
        "confidence",
        "is_main",
        "sum_check",
        "section",
        "cumulative",
        "skip_outliers",
    ]
    search_fields = ["code", "name"]
    inlines = [TargetInline]

    def save_related(self, request, form, formsets, change):
        # After the inline targets are saved too. An indicator moved to another plan leaves that plan's standings
        # behind; an indicator deleted takes its standings with it (on delete cascade).
        super().save_related(request, form, formsets, change)
        plans = {form.instance.plan}
        if change and "plan" in form.changed_data:
            plans.add(Plan.objects.get(pk=form.initial["plan"]))
        for plan in plans:
            standings.refresh(plan, indicators=[form.instance.pk])


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "district", "year", "operator", "value", "upper"]
    list_filter = ["district", "year"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator", "district"]

    def save_model(self, request, obj, form, change):
        before = Target.objects.filter(pk=obj.pk).select_related("indicator__plan").first() if change else None
        super().save_model(request, obj, form, change)
        _refresh_targets([obj, *([before] if before else [])])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _refresh_targets([obj])

    def delete_queryset(self, request, queryset):
        targets = list(queryset.select_related("indicator__plan"))
        super().delete_queryset(request, queryset)
        _refresh_targets(targets)


def _refresh_targets(targets):
    """Refresh the (indicator, district) pairs of these targets, one refresh per plan."""
    by_plan = {}
    for target in targets:
        plan = target.indicator.plan
        indicators, districts = by_plan.setdefault(plan.pk, (plan, set(), set()))[1:]
        indicators.add(target.indicator_id)
        districts.add(target.district_id)
    for plan, indicators, districts in by_plan.values():
        standings.refresh(plan, indicators=indicators, districts=districts)


class RuleForm(forms.ModelForm):
    """A rule with its sides written as in the workbook (`a + b`, `0.0001*a`), checked by `plans.rules`."""

    left = forms.CharField(
        label=_("左边"), max_length=500, help_text=_("指标代码之和，如 a + b；系数写在代码前，如 0.0001*a。")
    )
    right = forms.CharField(label=_("右边"), max_length=500)

    class Meta:
        model = Rule
        fields = ["plan", "code", "name", "left", "operator", "right", "tolerance", "districts", "weight", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["left"], self.initial["right"] = self.instance.sides()

    def clean(self):
        data = super().clean()
        plan = data.get("plan")
        if plan is None:
            return data
        self.indicators = {i.code: i for i in Indicator.objects.filter(plan=plan)}
        problems, self.left_terms, self.right_terms = plan_rules.problems(
            left=data.get("left", ""),
            right=data.get("right", ""),
            operator=data.get("operator"),
            tolerance=data.get("tolerance"),
            districts=data.get("districts", ""),
            indicators={code: (i.name, i.unit) for code, i in self.indicators.items()},
            known_districts=set(District.objects.values_list("code", flat=True)),
        )
        for name, message in problems.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data


@admin.register(Rule)
class RuleAdmin(SimpleHistoryAdmin):
    form = RuleForm
    list_display = ["code", "name", "operator", "weight", "districts", "plan"]
    list_filter = ["plan", "weight"]
    search_fields = ["code", "name"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.replace_terms(form.left_terms, form.right_terms, form.indicators, by=request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows to read, with their history; they are written through the pages that record who and check the rules
    (figures through the write pipeline, year locks on /years/)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["indicator", "district", "year", "value", "status", "is_demo", "entered_by", "entered_at"]
    list_filter = ["status", "is_demo", "year", "district"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator", "district", "entered_by"]


@admin.register(ReportingYear)
class ReportingYearAdmin(ReadOnlyAdmin):
    list_display = ["plan", "year", "locked", "locked_by", "locked_at", "close_requested_by"]
    list_select_related = ["plan", "locked_by", "close_requested_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    readonly_fields = ["digest"]
