"""The four roles of planboard as Django groups, and what each may do."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

OFFICIAL, REVIEWER, LEADER, ANALYST, ADMINISTRATOR = "填报员", "审核员", "领导", "分析员", "管理员"
# A city's reviewer (两级审核, Plan.review_levels == 2): reviews first the figures of the districts he is a member
# of, as officials enter theirs; without view_all_districts he sees no other district (figures/review.py).
CITY_REVIEWER = "市级审核员"

ROLE_PERMISSIONS = {
    # Officials enter and submit their own districts' figures (the district scoping is in the querysets).
    OFFICIAL: ["view_observation", "add_observation", "change_observation"],
    REVIEWER: [
        "view_observation",
        "add_observation",
        "change_observation",
        "view_all_districts",
        "enter_all_districts",
        "review_observation",
        "change_baseline",
        "lock_year",
        "export_report",
        "tasks.report_task",
    ],
    CITY_REVIEWER: ["view_observation", "review_observation"],
    LEADER: ["view_observation", "view_all_districts", "export_report"],
    ANALYST: [
        "view_observation",
        "add_observation",
        "change_observation",
        "view_all_districts",
        "enter_all_districts",
        "export_report",
        "import_values",
    ],
    # Administrators look after the plans: download and upload a plan's workbook (a new plan, corrections to the
    # 待核实 items); which plan is current they set in the admin, as staff.
    ADMINISTRATOR: ["view_observation", "view_all_districts", "plans.load_plan"],
}


def ensure_groups():
    """Create the role groups with exactly their permissions; safe to run again."""
    found = {}
    for name, codenames in ROLE_PERMISSIONS.items():
        found[name] = list(Permission.objects.filter(_named(codenames)))
        if len(found[name]) != len(codenames):
            # Before any group is made: a migrate to an earlier state leaves the groups alone.
            raise LookupError(f"{name}: permissions missing, run migrate first")
    for name, permissions in found.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def apps_named():
    """The labels of the apps whose permissions the roles name."""
    return sorted(
        {name.rpartition(".")[0] or "figures" for codenames in ROLE_PERMISSIONS.values() for name in codenames}
    )


def _named(codenames):
    """A bare codename is a figures permission; another app's is written in full ("tasks.report_task")."""
    query = Q(pk__in=[])
    for name in codenames:
        app_label, _, codename = name.rpartition(".")
        query |= Q(content_type__app_label=app_label or "figures", codename=codename)
    return query
