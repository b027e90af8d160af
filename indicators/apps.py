from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    """The first layout's app: only its migrations remain, which created the tables plans and figures now own."""

    name = "indicators"
    verbose_name = "指标与数据（旧）"
