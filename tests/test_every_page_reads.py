"""What every page shows around its content (the plans in the header, the districts, the 演示数据 banner, the menu)
comes from the cache while nothing changes, and a change shows on the very next page, whatever made it. (The banner's
own story is in figures/test_demo.py.)"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planboard import roles
from plans.models import District
from tests import story
from tests.conftest import FJ, PASSWORD
from tests.test_several_plans import NEXT, next_plan, planner  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def tables_read(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return {query["sql"].split(" FROM ")[1].split()[0].strip('"') for query in queries if " FROM " in query["sql"]}


def test_a_cached_page_reads_the_session_the_user_his_permissions_and_the_data_versions_only(client, leader):
    client.force_login(leader)
    client.get(f"{FJ}/")
    # No plan, district or figure: the header, the district chooser and the banner are cached with the page.
    assert tables_read(client, f"{FJ}/") == {"django_session", "auth_user", "auth_permission", "figures_dataversion"}


def test_a_plan_renamed_or_made_current_shows_on_the_next_page(client, leader, plan, next_plan):  # noqa: F811
    client.force_login(leader)
    assert "《福建省“十四五”教育发展专项规划》" in client.get(f"{FJ}/").content.decode()

    plan.name = "福建省教育规划（更正）"
    plan.save()
    page = client.get(f"{FJ}/").content.decode()
    assert "《福建省教育规划（更正）》" in page

    next_plan.make_current()
    page = client.get(f"/plans/{NEXT}/").content.decode()
    assert f'<option value="{NEXT}" selected>“十五五”教育发展规划（试） 2026–2030 （当前规划）</option>' in page


def test_locking_the_final_year_closes_the_plan_on_the_next_page(client, leader, reviewer, plan):
    client.force_login(leader)
    assert "规划已结束" not in client.get(f"{FJ}/").content.decode()
    story.close_plan(plan, by=reviewer)
    assert "规划已结束，数据只能查看，不能再修改。" in client.get(f"{FJ}/").content.decode()


def test_a_district_renamed_shows_in_the_chooser_on_the_next_page(client, leader, district):
    client.force_login(leader)
    assert ">福州市</option>" in client.get(f"{FJ}/").content.decode()
    fuzhou = district("fuzhou")
    fuzhou.name = "福州市（更正）"
    fuzhou.save()
    assert ">福州市（更正）</option>" in client.get(f"{FJ}/").content.decode()
    added = District.objects.create(code="359999", name="新设区", short_name="新设", slug="new", kind="county")
    assert ">新设区</option>" in client.get(f"{FJ}/").content.decode()
    added.delete()
    assert "新设区" not in client.get(f"{FJ}/").content.decode()


def test_a_role_taken_away_counts_from_the_next_request(client, leader):
    """Permissions are read on every request (in one query), never cached across requests."""
    client.force_login(leader)
    assert client.get(f"{FJ}/quality/").status_code == 200
    assert "数据质量" in client.get(f"{FJ}/").content.decode()

    leader.groups.remove(Group.objects.get(name=roles.LEADER))
    assert client.get(f"{FJ}/quality/").status_code == 403
    assert "数据质量" not in client.get(f"{FJ}/").content.decode()


def test_permissions_are_one_query_with_the_same_answer_as_djangos(leader, analyst, official_fuzhou, admin_user):
    from django.contrib.auth.backends import ModelBackend

    from planboard.auth_backend import OneQueryPermissions

    official_fuzhou.user_permissions.add(*Group.objects.get(name=roles.ANALYST).permissions.all()[:2])
    for user in (leader, analyst, official_fuzhou, admin_user):
        expected = ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
        fresh = type(user).objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as queries:
            assert OneQueryPermissions().get_all_permissions(fresh) == expected
            assert fresh.has_perm(next(iter(expected)))
        assert len(queries) == 1, user
    official_fuzhou.is_active = False
    assert OneQueryPermissions().get_all_permissions(official_fuzhou) == set()


def test_a_password_login_keeps_its_session(client, leader):
    """Logins stay Django's ModelBackend's, so the sessions made before the one-query backend stay valid."""
    assert client.login(username="leader", password=PASSWORD)
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    assert client.get(f"{FJ}/").status_code == 200


def test_a_district_renamed_by_a_data_migration_shows_after_migrate(client, leader):
    """A data migration's historical models send no signal; `migrate` itself moves the versions when it ends."""
    from django.apps import apps as global_apps
    from django.core.management.sql import emit_post_migrate_signal
    from django.db.migrations.state import ProjectState

    client.force_login(leader)
    assert ">福州市</option>" in client.get(f"{FJ}/").content.decode()
    historical = ProjectState.from_apps(global_apps).apps.get_model("plans", "District")
    historical.objects.filter(code="350100").update(name="福州市（迁移）")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert ">福州市（迁移）</option>" in client.get(f"{FJ}/").content.decode()
