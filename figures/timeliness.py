"""填报进度 (timeliness): per plan and year, for every district, the cells due, entered, submitted, approved at
each level, on time and late, and the last activity; the province's reporting and on-time rates; the same rates
for the earlier years side by side. A fixed number of queries whatever the number of districts and figures.

Reporting rate: the cells submitted (submitted, city-approved or approved) over the cells due. On-time rate: the
cells first submitted by their round's deadline over the cells due (as DHIS2 counts them).
"""

import io
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from figures import access, submissions
from figures.models import Observation, ObservationStatus
from plans.xlsx import HEADER_FILL, HEADER_FONT


@dataclass
class Row:
    district: object
    year: int
    due: int = 0
    entered: int = 0
    submitted: int = 0
    city_approved: int = 0
    approved: int = 0
    on_time: int = 0
    late: int = 0
    last_activity: object = None

    @property
    def reporting_rate(self):
        return _rate(self.submitted, self.due)

    @property
    def on_time_rate(self):
        return _rate(self.on_time, self.due)


def _rate(n, d):
    return round(100 * n / d, 1) if d else None


def years_of(plan):
    return list(access.allowed_years(plan, _Nobody()))


class _Nobody:
    """allowed_years for the years figures are reported in (no base year)."""

    def has_perm(self, _name):
        return False


def table(plan, districts, years):
    """{year: [Row per district]} and {year: Row for all districts together}."""
    districts = list(districts)
    owed = submissions.reported_indicator_ids(plan, districts)
    reported = Q(status__in=submissions.REPORTED)
    rows = (
        Observation.objects.shown_in(plan)
        .filter(district__in=districts, year__in=list(years))
        .values("district", "year")
        .annotate(
            entered=Count("pk"),
            submitted=Count("pk", filter=reported),
            city_approved=Count("pk", filter=Q(city_approved_at__isnull=False)),
            approved=Count("pk", filter=Q(status=ObservationStatus.APPROVED)),
            on_time=Count("pk", filter=reported & Q(submitted_at__isnull=False, late=False)),
            late=Count("pk", filter=reported & Q(late=True)),
            last_entered=Max("entered_at"),
            last_city=Max("city_approved_at"),
            last_approved=Max("approved_at"),
        )
        .order_by()
    )
    found = {(r["district"], r["year"]): r for r in rows}
    by_year, totals = {}, {}
    for year in years:
        by_year[year], total = [], Row(district=None, year=year)
        for district in districts:
            r = found.get((district.pk, year), {})
            times = [t for t in (r.get("last_entered"), r.get("last_city"), r.get("last_approved")) if t]
            row = Row(
                district=district,
                year=year,
                due=len(owed[district.pk]),
                **{k: r.get(k, 0) for k in ("entered", "submitted", "city_approved", "approved", "on_time", "late")},
                last_activity=max(times) if times else None,
            )
            by_year[year].append(row)
            for name in ("due", "entered", "submitted", "city_approved", "approved", "on_time", "late"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        totals[year] = total
    return by_year, totals


HEADERS = (
    ("district", gettext_lazy("地区")),
    ("due", gettext_lazy("应报")),
    ("entered", gettext_lazy("已填")),
    ("submitted", gettext_lazy("已提交")),
    ("city_approved", gettext_lazy("市级审核通过")),
    ("approved", gettext_lazy("省级审核通过")),
    ("on_time", gettext_lazy("按时")),
    ("late", gettext_lazy("逾期")),
    ("reporting_rate", gettext_lazy("上报率（%）")),
    ("on_time_rate", gettext_lazy("及时率（%）")),
    ("last_activity", gettext_lazy("最近操作")),
)


def workbook(plan, by_year, totals, year):
    """The page as an Excel workbook: the year's table, then every year's rates side by side."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("填报进度")
    sheet.append([_("%(plan)s %(year)d年填报进度") % {"plan": plan.name, "year": year}])
    sheet.append([str(label) for _name, label in HEADERS])
    for cell in sheet[2]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for row in [*by_year[year], totals[year]]:
        values = []
        for name, _label in HEADERS:
            value = getattr(row, name)
            if name == "district":
                value = str(value) if value else _("全省合计")
            elif name == "last_activity" and value is not None:
                value = value.replace(tzinfo=None)
            values.append(value)
        sheet.append(values)
    years = sorted(by_year)
    history = book.create_sheet(_("历年对比"))
    history.append(
        [
            _("地区"),
            *[_("%(year)d年上报率（%%）") % {"year": y} for y in years],
            *[_("%(year)d年及时率（%%）") % {"year": y} for y in years],
        ]
    )
    for cell in history[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for index, row in enumerate(by_year[year]):
        rates = [by_year[y][index] for y in years]
        history.append([str(row.district), *[r.reporting_rate for r in rates], *[r.on_time_rate for r in rates]])
    history.append(
        [_("全省合计"), *[totals[y].reporting_rate for y in years], *[totals[y].on_time_rate for y in years]]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
