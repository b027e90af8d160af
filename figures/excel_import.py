"""Uploading figures: preview, confirm, and the upload kept between the two (`PendingUpload`)."""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from figures import pipeline
from figures.excel_files import BadFile, read_upload
from figures.models import Observation, ObservationStatus, PendingUpload
from plans.chains import showing, statistics
from plans.explanations import plain
from plans.models import Indicator

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
    # The stored figure the preview was made from (version 0: none yet), compared again on confirm.
    seen: dict | None = None
    status_from: str = ""  # the stored figure's status, and the status saving gives it, when they differ
    status_to: str = ""
    warnings: list = field(default_factory=list)  # the 仅提示 rules the figure breaks (saved all the same)

    @property
    def withdraws(self):
        """Whether saving takes a submitted figure back to a draft, out of the reviewers' list."""
        return self.status_from == ObservationStatus.SUBMITTED and self.status_to == ObservationStatus.DRAFT

    def get_status_from_display(self):
        return ObservationStatus(self.status_from).label

    def get_status_to_display(self):
        return ObservationStatus(self.status_to).label


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

    @property
    def withdrawn(self):
        """How many submitted figures confirming would turn into drafts: the user must agree to it."""
        return sum(line.withdraws for line in self.lines)

    @property
    def versions(self):
        """What confirming checks again: the cell, its stored version and names of every row, as JSON."""
        return [line.seen for line in self.lines if line.seen is not None]


CHANGES = ["new", "changed", "unchanged", "error"]


class UploadRejected(Exception):
    """Rows of an upload failed the checks on confirm: nothing was saved. `errors` name sheet, row and column."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def preview_upload(data, filename, *, plan, user, action):
    """What saving the file would do, row by row, without writing anything."""
    names = pipeline.Names(plan)
    sheets = _read(data, filename, plan=plan, user=user, names=names)
    failed, checked = _check_file(sheets, plan=plan, user=user, action=action, names=names)
    results = iter(checked)
    lines = []
    for index, sheet in enumerate(sheets):
        for number, row in sheet.rows:
            indicator, district = names.indicator(row.get("indicator")), names.district(row.get("district"))
            line = Line(
                sheet.title,
                number,
                indicator.display_name if indicator else row.get("indicator"),
                district.display_name if district else row.get("district"),
                row.get("year"),
            )
            if (index, number) in failed:
                line.errors = failed[(index, number)]
            else:
                result = next(results)
                line.indicator, line.district = result.indicator.display_name, result.district.display_name
                line.change, line.new = result.change, result.value
                line.warnings = [breach.message for breach in result.warnings]
                line.old = result.existing.value if result.existing else None
                if result.existing and result.change != "unchanged" and result.existing.status != result.status:
                    line.status_from, line.status_to = result.existing.status, result.status
                line.seen = {
                    "sheet": sheet.title,
                    "row": number,
                    "indicator": result.indicator.pk,
                    "district": result.district.pk,
                    "year": result.year,
                    "version": result.existing.version if result.existing else 0,
                    "change": result.change,
                    "names": [result.indicator.display_name, result.district.display_name],
                    "withdraws": line.withdraws,
                }
            lines.append(line)
    if not lines:
        raise BadFile(_("文件中没有填写任何数值。"))
    return Preview(PurePath(filename).name, lines)


def _rows_of_file(sheets):
    """Every row of every sheet, keyed (sheet index, row number): a file is checked and saved as one batch, so a
    figure on one sheet is the previous year of one on another, as on one sheet."""
    return [((index, number), row) for index, sheet in enumerate(sheets) for number, row in sheet.rows]


def _check_file(sheets, *, plan, user, action, names):
    """{(sheet index, row number): messages} of the file's failed rows, and the others checked, in file order."""
    pending, failed, checked = _rows_of_file(sheets), {}, []
    # check_rows is all or nothing: check again without the failed rows to learn what the others would do.
    while pending:
        try:
            checked = pipeline.check_rows(plan=plan, rows=pending, by=user, action=action, names=names)
            break
        except pipeline.ImportRejected as rejected:
            for (index, number), name, message in rejected.errors:
                letter, header = sheets[index].columns.get(name) or sheets[index].columns["value"]
                failed.setdefault((index, number), []).append(
                    _("%(column)s列（%(header)s）：%(message)s")
                    % {"column": letter, "header": header, "message": message}
                )
            pending = [(key, row) for key, row in pending if key not in failed]
    return failed, checked


def save_upload(data, filename, *, plan, user, action, versions, withdraw=False):
    """Check the file again and save every row in one transaction, or nothing (UploadRejected). Returns how
    many rows are new, changed and unchanged.

    `versions` (Preview.versions) are the stored figures the preview showed (version 0: none, so a row the preview
    showed as new must still be new): under the locks every writer takes, if any changed since, nothing is saved
    and the error names each changed row, so nobody confirms over a change they never saw. Since none did, the
    preview's counts are what was saved. Losing a race to another writer is an UploadRejected too. A submitted
    figure the preview said would become a draft is saved only with `withdraw` (the user ticked that he wants it).
    """
    withdrawn = sum(bool(seen.get("withdraws")) for seen in versions)
    if withdrawn and not withdraw:
        raise UploadRejected(
            [
                ngettext(
                    "%(n)d 项已提交审核的数据将改为草稿，请勾选确认后再导入。",
                    "%(n)d 项已提交审核的数据将改为草稿，请勾选确认后再导入。",
                    withdrawn,
                )
                % {"n": withdrawn}
            ]
        )
    names = pipeline.Names(plan)
    sheets = _read(data, filename, plan=plan, user=user, names=names)
    _expect_versions_seen(sheets, versions)
    try:
        with pipeline.guarded():
            pipeline.lock_plans(pipeline.plans_of({seen["indicator"] for seen in versions}))
            changed = changed_since_preview(versions)
            if changed:
                raise UploadRejected(changed)
            try:
                saved = pipeline.import_rows(plan=plan, rows=_rows_of_file(sheets), by=user, action=action, names=names)
            except pipeline.ImportRejected as rejected:
                located = [sheets[index].locate(number, *error) for (index, number), *error in rejected.errors]
                raise UploadRejected(located) from None
            if saved and len(saved) != len(versions):
                # Rows that were errors in the preview would pass now: confirm only what was shown.
                raise UploadRejected([_("预览时文件有错误，请重新上传并预览。")])
    except pipeline.Conflict as lost:
        raise UploadRejected([_race_message(lost, versions)]) from None
    if not saved:
        raise BadFile(_("文件中没有填写任何数值。"))
    return {kind: sum(seen["change"] == kind for seen in versions) for kind in CHANGES[:3]}


def _expect_versions_seen(sheets, versions):
    """Each row carries the version of the figure its preview showed (0: none), which the pipeline checks too."""
    seen = {(v["sheet"], v["row"]): v["version"] for v in versions}
    for sheet in sheets:
        for number, row in sheet.rows:
            if (sheet.title, number) in seen:
                row["version"] = seen[(sheet.title, number)]


def _race_message(conflict, versions, shown=5):
    figures = ["，".join(v["names"]) for v in versions]
    more = _("等%(n)d项") % {"n": len(figures)} if len(figures) > shown else ""
    return _("保存时有人同时修改了数据（%(figures)s%(more)s）：%(why)s") % {
        "figures": "；".join(figures[:shown]),
        "more": more,
        "why": conflict,
    }


def changed_since_preview(versions):
    """Messages naming each row whose stored figure is no longer the version the preview was made from."""
    # A continuing indicator's figures are stored on the first indicator of its chain (README).
    stored_on = statistics(Indicator.objects.filter(pk__in={v["indicator"] for v in versions}))
    entered_as = {storage: pk for pk, storage in stored_on.items()}
    stored = {
        (entered_as[o.indicator_id], o.district_id, o.year): o
        for o in Observation.objects.select_for_update(of=("self",))
        .filter(
            indicator__in=list(entered_as),
            district__in={v["district"] for v in versions},
            year__in={v["year"] for v in versions},
        )
        .order_by("pk")
    }
    messages = []
    for seen in versions:
        now = stored.get((seen["indicator"], seen["district"], seen["year"]))
        if (now.version if now else 0) != seen["version"]:
            indicator, district = seen["names"]
            words = {"sheet": seen["sheet"], "row": seen["row"], "indicator": indicator, "district": district}
            if now is None:
                message = _("工作表“%(sheet)s”第%(row)d行（%(indicator)s，%(district)s）：预览后该数据已被删除") % words
            else:
                words.update(value=plain(now.value), who=now.entered_by)
                message = (
                    _("工作表“%(sheet)s”第%(row)d行（%(indicator)s，%(district)s）：预览后已被%(who)s改为 %(value)s")
                    % words
                )
            messages.append(message)
    if messages:
        messages.append(_("请重新上传并预览后再确认。"))
    return messages


def _read(data, filename, *, plan, user, names):
    sheets = read_upload(data, filename, plan=plan, user=user)
    _no_cell_twice(sheets, names)
    _keep_stored_sources(sheets, names)
    return sheets


def _no_cell_twice(sheets, names):
    """Each sheet is checked on its own, so a figure given on two sheets is refused here, for the whole file."""
    seen = {}
    for sheet in sheets:
        for number, row in sheet.rows:
            indicator, district = names.indicator(row.get("indicator")), names.district(row.get("district"))
            if indicator is None or district is None:
                continue
            cell = (indicator.pk, district.pk, str(row.get("year")).strip())
            if cell in seen and seen[cell][0] != sheet.title:
                raise BadFile(
                    _(
                        "工作表“%(sheet)s”第%(row)d行与工作表“%(other)s”第%(other_row)d行是同一项数据（%(indicator)s，%(district)s）。"
                    )
                    % {
                        "sheet": sheet.title,
                        "row": number,
                        "other": seen[cell][0],
                        "other_row": seen[cell][1],
                        "indicator": indicator.display_name,
                        "district": district.display_name,
                    }
                )
            seen.setdefault(cell, (sheet.title, number))


def _keep_stored_sources(sheets, names):
    """A row without a source (数据来源) keeps the stored figure's; a new figure's stays empty."""
    blank, indicators = [], {}
    for sheet in sheets:
        for _number, row in sheet.rows:
            if str(row.get("source") or "").strip():
                continue
            row["source"] = ""
            indicator, district = names.indicator(row.get("indicator")), names.district(row.get("district"))
            if indicator is not None and district is not None:
                indicators[indicator.pk] = indicator
                blank.append((row, (indicator.pk, district.pk, str(row.get("year")).strip())))
    if not blank:
        return
    years = set()
    for _row, (_i, _d, year) in blank:
        try:
            years.add(int(year))
        except ValueError:
            pass
    entered_as = showing(indicators.values())
    stored = {
        (entered_as[i], d, str(y)): source
        for i, d, y, source in Observation.objects.filter(
            indicator__in=list(entered_as),
            district__in={cell[1] for _row, cell in blank},
            year__in=years,
        ).values_list("indicator_id", "district_id", "year", "source")
    }
    for row, cell in blank:
        row["source"] = stored.get(cell, "")


# ---------------------------------------------------------------------------------------------------------------
# Who may upload, and keeping an uploaded file between the preview and the confirmation

SESSION_KEY = "excel_upload"
UPLOAD_LIFETIME = timedelta(hours=24)


def keep_upload(session, user, data, filename, action, versions, *, key=SESSION_KEY, preview=None):
    """Keep the file in the database, bound to this session and user; the browser only confirms, it never sends
    the rows back. Expired uploads are deleted on the way. `key` tells figure files from plan workbooks; `preview`
    is what the preview page shows, when it is computed once for the upload."""
    PendingUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_LIFETIME).delete()
    drop_upload(session, user, key=key)
    pending = PendingUpload.objects.create(
        user=user, data=data, filename=PurePath(filename).name[:200], action=action, versions=versions, preview=preview
    )
    session[key] = pending.pk


def pending_upload(session, user, *, key=SESSION_KEY):
    """The PendingUpload this user uploaded last in this session, unless it expired; or None."""
    pk = session.get(key)
    if not isinstance(pk, int):
        return None
    pending = PendingUpload.objects.filter(pk=pk, user=user, created_at__gte=timezone.now() - UPLOAD_LIFETIME).first()
    if pending is not None:
        pending.data = bytes(pending.data)  # PostgreSQL hands back a memoryview
    return pending


def remember_preview(pending, preview):
    if pending.versions != preview.versions:
        pending.versions = preview.versions
        pending.save(update_fields=["versions"])


def drop_upload(session, user, *, key=SESSION_KEY):
    pk = session.pop(key, None)
    if isinstance(pk, int):
        PendingUpload.objects.filter(pk=pk, user=user).delete()
