"""Task evidence goes through Django's storage API: a shared folder by default, an S3-compatible store (MinIO)
when the environment says so."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import TaskReport, TaskStatus

pytestmark = pytest.mark.django_db


def storage_settings(**environment):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.STORAGES['default'], str(s.MEDIA_ROOT)]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "planboard.settings", "SECRET_KEY": "x", **environment}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=django_settings.BASE_DIR
    )
    return result


def test_the_storage_backend_comes_from_the_environment():
    default, media_root = json.loads(storage_settings(MEDIA_ROOT="/srv/planboard-media").stdout)
    assert default == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert media_root == "/srv/planboard-media"
    minio = storage_settings(
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="planboard",
        AWS_S3_ENDPOINT_URL="http://minio.intranet:9000",
        AWS_ACCESS_KEY_ID="planboard",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    default, _root = json.loads(minio.stdout)
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    expected = {
        "bucket_name": "planboard",
        "endpoint_url": "http://minio.intranet:9000",
        "access_key": "planboard",
        "secret_key": "secret",
        "addressing_style": "path",
        "default_acl": None,
        "file_overwrite": False,
    }
    assert expected.items() <= default["OPTIONS"].items()
    assert "AWS_STORAGE_BUCKET_NAME" in storage_settings(STORAGE_BACKEND="s3").stderr
    assert "STORAGE_BACKEND must be" in storage_settings(STORAGE_BACKEND="ftp").stderr


def test_the_s3_backend_loads(settings):
    pytest.importorskip("storages.backends.s3")
    from django.core.files.storage import storages

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "planboard", "endpoint_url": "http://minio.intranet:9000"},
        },
    }
    assert type(storages["default"]).__name__ == "S3Storage"


def test_evidence_is_stored_and_served_through_the_configured_storage(client, reviewer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    client.force_login(reviewer)
    data = {
        "status": TaskStatus.IN_PROGRESS,
        "summary": "已印发实施方案",
        "evidence_links": "",
        "version": 0,
        "evidence_file": SimpleUploadedFile("方案.pdf", b"%PDF in memory"),
    }
    assert client.post(reverse("tasks:report", args=[8, 2024]), data).status_code == 302
    report = TaskReport.objects.get(task__number=8, year=2024)
    assert isinstance(default_storage._wrapped, InMemoryStorage)
    assert default_storage.exists(report.evidence_file.name)
    assert not any(tmp_path.iterdir())  # nothing written to the folder
    response = client.get(reverse("tasks:evidence", args=[8, 2024]))
    assert b"".join(response.streaming_content) == b"%PDF in memory"
