"""Bumps DataVersion.SETUP whenever a plan, a reporting year or a district changes, whatever the path (the admin,
a plan workbook, a command, a year lock): every page's header and district chooser are cached on it
(figures.versions). A bulk write sends no signal and bumps it itself (generate_scale)."""

from django.db.models.signals import post_delete, post_save

from figures.models import DataVersion, ReportingYear
from plans.models import District, Plan

SHOWN_ON_EVERY_PAGE = (Plan, ReportingYear, District)


def bump_setup(**kwargs):
    DataVersion.bump(DataVersion.SETUP)


def connect():
    for model in SHOWN_ON_EVERY_PAGE:
        post_save.connect(bump_setup, sender=model, dispatch_uid=f"setup-saved-{model._meta.label}")
        post_delete.connect(bump_setup, sender=model, dispatch_uid=f"setup-deleted-{model._meta.label}")
