"""Which URLs are a plan's pages: every app's `urlpatterns` (its `unprefixed` patterns, the API and the workbook,
are not). The site's URLconf (planboard/urls.py) puts them under /plans/<code>/; the plan switcher and
PlanMiddleware ask here which pages those are."""

from importlib import import_module

APPS = ["tasks.urls", "figures.urls", "figures.plan_urls", "figures.season_urls", "dashboards.urls", "exports.urls"]

PLAN_PAGES = frozenset(
    f"{module.app_name}:{pattern.name}" for module in map(import_module, APPS) for pattern in module.urlpatterns
)
