from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """The first layout's app: only its migrations remain, which created the tables plans and figures now own."""

    name = "indicators"
    verbose_name = _("指标与数据（旧）")
