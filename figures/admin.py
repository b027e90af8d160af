from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from figures import standings
from figures.models import ApiToken, Observation, ReportingYear
from plans.models import District, Indicator, Plan, Target

admin.site.site_header = "planboard 规划监测管理"
admin.site.site_title = "planboard"


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["name", "document_number", "base_year", "target_year"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "order"]
    list_filter = ["kind"]
    filter_horizontal = ["members"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit", "section", "group", "is_main", "cumulative", "confidence", "needs_review"]
    list_filter = ["plan", "needs_review", "confidence", "is_main", "sum_check", "section", "cumulative"]
    search_fields = ["code", "name"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "district", "year", "operator", "value", "upper"]
    list_filter = ["district", "year"]
    search_fields = ["indicator__code", "indicator__name"]


@admin.register(Observation)
class ObservationAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "district", "year", "value", "status", "is_demo", "entered_by", "entered_at"]
    list_filter = ["status", "is_demo", "year", "district"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator", "district", "entered_by"]

    # The admin writes around the services, so it refreshes the precomputed statuses itself.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        standings.refresh_observation(obj)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        standings.refresh_observation(obj)

    def delete_queryset(self, request, queryset):
        pairs = list(queryset.select_related("indicator__plan"))
        super().delete_queryset(request, queryset)
        for observation in pairs:
            standings.refresh_observation(observation)


@admin.register(ReportingYear)
class ReportingYearAdmin(admin.ModelAdmin):
    list_display = ["plan", "year", "locked", "locked_by", "locked_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    readonly_fields = ["digest"]
