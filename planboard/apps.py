from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PlanboardConfig(AppConfig):
    name = "planboard"
    verbose_name = _("站点")

    def ready(self):
        post_migrate.connect(_ensure_roles, sender=self)


def _ensure_roles(**kwargs):
    """After every migrate, the role groups hold exactly their permissions (planboard.roles)."""
    from planboard import roles

    try:
        roles.ensure_groups()
    except LookupError:
        pass  # a migrate to an earlier state, before the permissions the roles name exist
