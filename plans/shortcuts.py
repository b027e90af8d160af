"""What every page asks first: which plan, and may this user do this."""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.http import Http404
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _

from plans.models import Plan
from plans.years import parse_year


def requested_plan(request):
    """The plan an API call is about: `?plan=<code>`, by default the current plan (docs/api.md)."""
    code = request.GET.get("plan")
    plan = Plan.objects.filter(code=code).first() if code else Plan.objects.current()
    if plan is None:
        raise Http404(_("没有这个规划。") if code else _("尚未载入规划。"))
    return plan


def command_plan(code):
    """A command's `--plan CODE`, by default the current plan."""
    plan = Plan.objects.filter(code=code).first() if code else Plan.objects.current()
    if plan is None:
        raise CommandError(f"没有规划 {code}。" if code else "没有规划，请先运行 load_plan。")
    return plan


# A plan's pages live under /plans/<code>/ (planboard/urls.py builds each plan's URLconf so); the site's root
# URLconf has them without the prefix, at their old addresses, which lead to the current plan.
PLAN_PREFIX = re.compile(r"^/plans/(?P<code>[-\w]+)/")  # matches a path_info, without the script prefix


def plan_path(code):
    """The path a plan's pages are under, as URLconfs write it."""
    return f"plans/{code}/"


def in_plan(plan, path_info):
    """The address of a plan page's old address (`path_info`, e.g. "/review/") in `plan`."""
    return f"{get_script_prefix()}{plan_path(plan.code)}{path_info.removeprefix('/')}"


def reverse_in(plan, viewname, args=None, kwargs=None):
    """The address of a page of `plan`, also from outside its pages (the API, the plan switcher), where
    reverse() yields the old addresses."""
    address = reverse(viewname, args=args, kwargs=kwargs, urlconf=settings.ROOT_URLCONF)
    return in_plan(plan, "/" + address.removeprefix(get_script_prefix()))


def require(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied(_("您的角色没有此权限。"))


def year_or_404(raw, years, *, default):
    """`years.parse_year` for pages: a year the page does not offer is a page that does not exist."""
    try:
        return parse_year(raw, years, default=default)
    except ValidationError:
        raise Http404(_("没有该年份。")) from None
