from indicators.models import Observation, Plan


def planboard(request):
    """The current plan and whether demo figures are mixed in, for the header and the 演示数据 banner."""
    if not request.user.is_authenticated:
        return {}
    return {
        "current_plan": Plan.objects.current(),
        "demo_data_present": Observation.objects.filter(is_demo=True).exists(),
    }
