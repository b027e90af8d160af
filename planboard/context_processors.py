from django.utils.functional import SimpleLazyObject

from figures.models import Observation
from plans.models import Plan


def planboard(request):
    """The current plan and whether demo figures are mixed in, for the header and the 演示数据 banner.

    Lazy, so a page that never shows them (an error page, a redirect's template) runs no query for them.
    """
    if not request.user.is_authenticated:
        return {}
    return {
        "current_plan": SimpleLazyObject(Plan.objects.current),
        "demo_data_present": SimpleLazyObject(Observation.objects.filter(is_demo=True).exists),
    }
