"""Moves every data version whenever a plan, a reporting year or a district changes, whatever the path (the admin,
a plan workbook, a command, a year lock), and after every `migrate` (a data migration's historical models send no
signal): every page's header and district chooser are cached on them (figures.versions). A bulk write sends no
signal and bumps them itself (generate_scale)."""

from django.db import connections
from django.db.models.signals import post_delete, post_migrate, post_save

from figures.models import DataVersion, ReportingYear
from plans.models import District, Plan

SHOWN_ON_EVERY_PAGE = (Plan, ReportingYear, District)


def bump(**kwargs):
    DataVersion.bump_all()


def bump_after_migrate(using, **kwargs):
    # Not after migrating back to before the versions' table existed.
    if DataVersion._meta.db_table in connections[using].introspection.table_names():
        DataVersion.bump_all(using)


def connect(app_config):
    for model in SHOWN_ON_EVERY_PAGE:
        post_save.connect(bump, sender=model, dispatch_uid=f"versions-saved-{model._meta.label}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"versions-deleted-{model._meta.label}")
    post_migrate.connect(bump_after_migrate, sender=app_config, dispatch_uid="versions-migrated")
