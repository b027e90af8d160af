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
