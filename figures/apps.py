from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    name = "figures"
    verbose_name = _("填报数据")

    def ready(self):
        from figures import signals

        signals.connect(self)
