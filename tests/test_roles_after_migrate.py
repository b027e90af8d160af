"""A clean production install (README, "Production": migrate, then load_plan) has the roles an administrator gives
people, each with its permissions, without any demo account ever being created."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from planboard import roles

ROOT = Path(__file__).resolve().parent.parent


def test_migrate_on_an_empty_database_creates_every_role_with_its_permissions(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "test-only-secret", "DEBUG": ""}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    rows = sqlite3.connect(database).execute(
        "SELECT g.name, ct.app_label, p.codename FROM auth_group g"
        " JOIN auth_group_permissions gp ON gp.group_id = g.id JOIN auth_permission p ON p.id = gp.permission_id"
        " JOIN django_content_type ct ON ct.id = p.content_type_id"
    )
    found = {}
    for group, app_label, codename in rows:
        found.setdefault(group, set()).add(codename if app_label == "figures" else f"{app_label}.{codename}")
    assert found == {name: set(codenames) for name, codenames in roles.ROLE_PERMISSIONS.items()}
