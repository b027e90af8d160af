"""Error pages speak Chinese and lead back to the overview, instead of Django's bare English defaults."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_another_districts_page_is_a_chinese_not_found_page(client, plan, official_fuzhou):
    client.force_login(official_fuzhou)
    page = client.get(reverse("dashboards:district", args=["350200"]))
    assert page.status_code == 404
    text = page.content.decode()
    assert "页面不存在" in text and reverse("dashboards:dashboard") in text and "Not Found" not in text


def test_a_page_the_role_may_not_open_says_why_in_chinese(client, plan, official_fuzhou):
    client.force_login(official_fuzhou)
    page = client.get(reverse("figures:year-locks"))
    assert page.status_code == 403
    text = page.content.decode()
    assert "没有权限" in text and "您的角色没有此权限。" in text and "Forbidden" not in text


def test_the_server_error_page_needs_no_context():
    assert "服务器错误" in render_to_string("500.html")


def test_while_the_database_is_away_pages_and_the_api_answer_503_and_say_to_try_again(client, leader, monkeypatch):
    from django.db import OperationalError
    from django.db.backends.utils import CursorWrapper

    from tests.conftest import FJ

    client.force_login(leader)
    client.raise_request_exception = False

    class ConnectionFailure(Exception):
        pgcode = "08006"  # PostgreSQL's connection_failure: the server went away

    def away(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly") from ConnectionFailure()

    monkeypatch.setattr(CursorWrapper, "execute", away)
    page = client.get(f"{FJ}/")
    assert page.status_code == 503 and page["Retry-After"] == "10"
    assert "数据库暂时无法连接，请稍后再试。" in page.content.decode()
    answer = client.get("/api/progress/")
    assert answer.status_code == 503 and answer["Retry-After"] == "10"
    assert answer.json()["error"] == {"code": "unavailable", "message": "数据库暂时无法连接，请稍后再试。"}


def test_any_other_error_is_still_a_500_and_json_on_the_api(client, leader, monkeypatch):
    from dashboards import overviews

    client.force_login(leader)
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(overviews, "chosen_district", broken)
    answer = client.get("/api/progress/")
    assert answer.status_code == 500 and "Retry-After" not in answer
    assert answer.json()["error"]["code"] == "server_error"
    page = client.get(reverse("dashboards:dashboard"))
    assert page.status_code == 500 and "服务器错误" in page.content.decode()


def test_a_query_error_is_a_500_not_an_outage(client, leader):
    """A table missing (a migration not run) is a fault to look into, not the database being away."""
    from django.db import connection

    from tests.conftest import FJ

    client.force_login(leader)
    client.raise_request_exception = False
    client.get(f"{FJ}/")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE figures_dataversion")
    page = client.get(f"{FJ}/")
    assert page.status_code == 500 and "Retry-After" not in page
