from django.utils.functional import SimpleLazyObject

from figures import todo
from figures.models import Observation
from plans.models import Plan


def planboard(request):
    """The plan of the page and every plan (the header and its plan switcher), and whether demo figures are mixed in
    (the 演示数据 banner).

    Lazy, so a page that never shows them (an error page, a redirect's template) runs no query for them. A plan's
    page has them from PlanMiddleware already; another page (the password form, the workbook) shows the current
    plan.
    """
    if not request.user.is_authenticated:
        return {}
    plans = getattr(request, "plans", None)
    if plans is None:
        plans = SimpleLazyObject(lambda: list(Plan.objects.current_first().with_read_only()))
    plan = getattr(request, "plan", None) or SimpleLazyObject(lambda: plans[0] if plans else None)
    return {
        "header_plan": plan,
        "plans": plans,
        "demo_data_present": SimpleLazyObject(Observation.objects.filter(is_demo=True).exists),
        # 待办's count in the header: one query (the season's data version) while nothing changes.
        "todo_count": SimpleLazyObject(lambda: todo.count(plan, request.user) if plan else 0),
    }
