from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PlanboardConfig(AppConfig):
    name = "planboard"
    verbose_name = _("站点")

    def ready(self):
        # Django sends post_migrate once for each app with models, after creating that app's permissions; this app
        # has none, so the handler listens to the apps whose permissions the roles name. The last of them to
        # migrate completes the groups (before it, ensure_groups finds permissions missing and waits).
        from planboard import roles

        for label in roles.apps_named():
            post_migrate.connect(_ensure_roles, sender=apps.get_app_config(label), dispatch_uid=f"roles-{label}")


def _ensure_roles(**kwargs):
    """After every migrate, the role groups hold exactly their permissions (planboard.roles)."""
    from planboard import roles

    try:
        roles.ensure_groups()
    except LookupError:
        pass  # not every permission the roles name exists yet (another app's come later), or a migrate backwards
