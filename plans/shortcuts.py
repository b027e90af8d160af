"""What every page asks first: which plan, and may this user do this."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from plans.models import Plan
from plans.years import parse_year


def current_plan():
    plan = Plan.objects.current()
    if plan is None:
        raise Http404(_("尚未载入规划。"))
    return plan


def require(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied(_("您的角色没有此权限。"))


def year_or_404(raw, years, *, default):
    """`years.parse_year` for pages: a year the page does not offer is a page that does not exist."""
    try:
        return parse_year(raw, years, default=default)
    except ValidationError:
        raise Http404(_("没有该年份。")) from None
