"""What every page asks first: which plan, and may this user do this."""

from importlib import import_module

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.http import Http404
from django.urls import reverse
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


def reverse_in(plan, viewname, args=None):
    """The address of a page of `plan` from outside its pages (the API): there, reverse() yields old addresses,
    which lead to the current plan. The site's URLconf (planboard/urls.py, above this layer) has each plan's."""
    return reverse(viewname, args=args, urlconf=import_module(settings.ROOT_URLCONF).urlconf_of(plan.code))


def require(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied(_("您的角色没有此权限。"))


def year_or_404(raw, years, *, default):
    """`years.parse_year` for pages: a year the page does not offer is a page that does not exist."""
    try:
        return parse_year(raw, years, default=default)
    except ValidationError:
        raise Http404(_("没有该年份。")) from None
