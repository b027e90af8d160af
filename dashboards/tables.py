"""Tables of figures (django-tables2)."""

import django_tables2 as tables
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.templatetags.progress_tags import figure


class FigureColumn(tables.Column):
    """One year's approved figure, shown with the indicator's decimals."""

    def __init__(self, *args, decimals=2, **kwargs):
        self.decimals = decimals
        kwargs.update(orderable=False, default="—", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return figure(value, self.decimals)


class ValuesTable(tables.Table):
    """Approved figures of one indicator: a row per district, a column per year."""

    district = tables.Column(verbose_name=gettext_lazy("地区"), orderable=False)

    class Meta:
        # On a phone the table scrolls inside itself: the keyboard reaches it, by name.
        attrs = {"class": "data values", "tabindex": "0", "aria-label": gettext_lazy("各地区逐年审核通过的数值")}
        empty_text = gettext_lazy("暂无审核通过的数据")

    def render_district(self, value):
        return value.display_short_name

    @classmethod
    def for_indicator(cls, report):
        """The table of an `reports.IndicatorProgress`: districts with figures, years with figures."""
        base_year = report.plan.base_year
        years = report.years()
        columns = [
            (
                f"y{year}",
                FigureColumn(
                    verbose_name=_("%(year)s（基期）") % {"year": year} if year == base_year else str(year),
                    decimals=report.indicator.shown_decimals,
                ),
            )
            for year in years
        ]
        rows = [
            {
                "district": district,
                **{f"y{year}": value for year, value in report.figures[district.pk].items()},
            }
            for district in report.districts
            if district.pk in report.figures
        ]
        return cls(rows, extra_columns=columns)
