"""Uploading figures: preview, confirm, and the upload kept between the two."""

import re
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from django.db import transaction
from django.utils.translation import gettext as _

from figures import pipeline
from figures.excel_files import BadFile, read_upload

# ---------------------------------------------------------------------------------------------------------------
# Preview and confirm


@dataclass
class Line:
    """One filled row of an upload as the preview shows it."""

    sheet: str
    row: int
    indicator: str
    district: str
    year: object
    change: str = "error"  # new, changed, unchanged or error
    old: object = None
    new: object = None
    errors: list = field(default_factory=list)


@dataclass
class Preview:
    filename: str
    lines: list

    @property
    def counts(self):
        return {kind: sum(line.change == kind for line in self.lines) for kind in CHANGES}

    @property
    def ok(self):
        return bool(self.lines) and not self.counts["error"]


CHANGES = ["new", "changed", "unchanged", "error"]


class UploadRejected(Exception):
    """Rows of an upload failed the checks on confirm: nothing was saved. `errors` name sheet, row and column."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def preview_upload(data, filename, *, plan, user, action):
    """What saving the file would do, row by row, without writing anything."""
    lines = []
    for sheet in read_upload(data, filename, plan=plan, user=user):
        failed = {}
        pending = sheet.rows
        checked = []
        # check_rows is all or nothing: check again without the failed rows to learn what the others would do.
        while pending:
            try:
                checked = pipeline.check_rows(plan=plan, rows=pending, by=user, action=action)
                break
            except pipeline.ImportRejected as rejected:
                for number, name, message in rejected.errors:
                    letter, header = sheet.columns.get(name) or sheet.columns["value"]
                    failed.setdefault(number, []).append(f"{letter}列（{header}）：{message}")
                pending = [(number, row) for number, row in pending if number not in failed]
        results = iter(checked)
        for number, row in sheet.rows:
            line = Line(sheet.title, number, row.get("indicator"), row.get("district"), row.get("year"))
            if number in failed:
                line.errors = failed[number]
            else:
                result = next(results)
                line.indicator, line.district = result.indicator.name, result.district.name
                line.change, line.new = result.change, result.value
                line.old = result.existing.value if result.existing else None
            lines.append(line)
    if not lines:
        raise BadFile(_("文件中没有填写任何数值。"))
    return Preview(PurePath(filename).name, lines)


def save_upload(data, filename, *, plan, user, action):
    """Check the file again and save every row in one transaction, or nothing (UploadRejected)."""
    sheets = read_upload(data, filename, plan=plan, user=user)
    saved = []
    with transaction.atomic():
        for sheet in sheets:
            try:
                saved += pipeline.import_rows(plan=plan, rows=sheet.rows, by=user, action=action)
            except pipeline.ImportRejected as rejected:
                raise UploadRejected([sheet.locate(*error) for error in rejected.errors]) from None
    if not saved:
        raise BadFile(_("文件中没有填写任何数值。"))
    return saved


# ---------------------------------------------------------------------------------------------------------------
# Who may upload, and keeping an uploaded file between the preview and the confirmation


UPLOADS = Path(tempfile.gettempdir()) / "planboard-uploads"
SESSION_KEY = "excel_upload"
UPLOAD_LIFETIME = 24 * 3600


def stash_upload(session, user, data, filename, action):
    """Keep the file on the server under a random token bound to this session and user; the browser only
    confirms, it never sends the rows back."""
    UPLOADS.mkdir(mode=0o700, parents=True, exist_ok=True)
    for old in UPLOADS.glob("*.upload"):
        if time.time() - old.stat().st_mtime > UPLOAD_LIFETIME:
            old.unlink(missing_ok=True)
    drop_upload(session, user)
    token = secrets.token_hex(16)
    (UPLOADS / f"{user.pk}-{token}.upload").write_bytes(data)
    session[SESSION_KEY] = {"token": token, "name": PurePath(filename).name, "action": action}


def stashed_upload(session, user):
    """(data, file name, action) of the file this user uploaded last, or None."""
    stashed = session.get(SESSION_KEY) or {}
    path = _stash_path(user, stashed.get("token"))
    if path is None or not path.exists():
        return None
    return path.read_bytes(), stashed["name"], stashed["action"]


def drop_upload(session, user):
    stashed = session.pop(SESSION_KEY, None) or {}
    path = _stash_path(user, stashed.get("token"))
    if path is not None:
        path.unlink(missing_ok=True)


def _stash_path(user, token):
    if not isinstance(token, str) or not re.fullmatch(r"[0-9a-f]{32}", token):
        return None
    return UPLOADS / f"{user.pk}-{token}.upload"
