from django.utils.functional import SimpleLazyObject

from figures import todo, versions


def planboard(request):
    """The plan of the page and every plan (the header and its plan switcher), and whether demo figures are mixed in
    (the 演示数据 banner).

    Lazy, so a page that never shows them (an error page, a redirect's template) reads nothing for them. A plan's
    page has the plans from PlanMiddleware already; another page (the password form, the workbook) shows the
    current plan. All of them are cached on the data versions the request reads once (figures.versions).
    """
    if not request.user.is_authenticated:
        return {}
    plans = getattr(request, "plans", None)
    if plans is None:
        plans = SimpleLazyObject(lambda: versions.page_basics(request).plans)
    plan = getattr(request, "plan", None) or SimpleLazyObject(lambda: plans[0] if plans else None)
    return {
        "header_plan": plan,
        "plans": plans,
        "demo_data_present": SimpleLazyObject(lambda: versions.page_basics(request).demo_present),
        # 待办's count in the header: no query while nothing changes (it is cached on the season's data version).
        "todo_count": SimpleLazyObject(lambda: todo.count(plan, request) if plan else 0),
    }
