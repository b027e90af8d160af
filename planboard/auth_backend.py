"""The user's permissions in one query instead of Django's two."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q


class OneQueryPermissions:
    """Every page checks the user's permissions (its menu, which districts he sees), and Django's ModelBackend reads
    his own and his groups' permissions in two queries; this backend reads the same set in one, one query less per
    request. Listed before ModelBackend, it fills the per-request `_perm_cache` they share, so ModelBackend answers
    from it without a query. Permissions are still read afresh on every request: a group taken away counts at once.

    It logs nobody in (no `get_user`): logins and sessions stay ModelBackend's, so sessions made before it was added
    stay valid."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                own = user_obj.user_permissions.through.objects.filter(user=user_obj).values("permission")
                groups = Group.permissions.through.objects.filter(group__user=user_obj).values("permission")
                permissions = permissions.filter(Q(pk__in=own) | Q(pk__in=groups))
            rows = permissions.values_list("content_type__app_label", "codename").order_by()
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._perm_cache
