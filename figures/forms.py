"""Forms for entering and reviewing figures.

They only give shape to what people type; every rule (numbers, ranges, years, locks, versions, large moves,
reasons for lagging figures) lives in `pipeline.write`, shared with the Excel upload, the API and the commands.
"""

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from figures import locks, outliers, pipeline
from figures.models import Observation, ObservationStatus
from plans.chains import showing
from plans.models import District, Indicator, Target


class EntryForm(forms.Form):
    """One cell of the entry grid: an indicator's figure for the grid's district and year."""

    indicator = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Text, not a number field: pipeline.parse_number accepts '98.5%', '９８．５' and '1,234.5'.
    value = forms.CharField(
        label=_("数值"), required=False, max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    confirm = forms.BooleanField(label=_("确认大幅变动"), required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    source = forms.CharField(label=_("数据来源"), required=False, max_length=200)
    reason = forms.CharField(label=_("原因分析"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    measures = forms.CharField(label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 1}))


EntryFormSet = forms.formset_factory(EntryForm, extra=0)


@dataclass
class GridRow:
    indicator: Indicator
    past: list  # the stored figure (or None) of each earlier year, base year first
    target: Target | None
    current: Observation | None
    locked: bool
    form: EntryForm | None = None
    outliers: list = field(default_factory=list)  # figures.outliers.Outlier: why the figure stands out

    @property
    def status(self):
        """The cell's state as the page shows it: empty, a figure's status, or locked."""
        if self.locked:
            return "locked"
        return self.current.status if self.current else "empty"

    @property
    def status_label(self):
        if self.locked:
            return _("已锁定")
        return self.current.get_status_display() if self.current else _("未填报")


class EntryGrid:
    """The entry page of one district and year: every indicator the district reports, its figures of the
    earlier years, its target and the cell's status, with a form for each cell that may still change.

    Eight queries whatever the number of indicators (three of them for the outliers). Approved cells stay
    read-only here: a reviewer reopens them first, so saving a grid never undoes an approval.
    """

    ACTIONS = {"save": pipeline.Action.SAVE, "submit": pipeline.Action.SUBMIT}

    def __init__(self, *, plan, district, year, data=None):
        self.plan, self.district, self.year = plan, district, year
        self.years = list(range(plan.base_year, year))
        indicators = list(Indicator.objects.for_plan(plan).reported_by(district).order_by("order", "code"))
        ids = [i.pk for i in indicators]
        locked = locks.locked_years(ids)
        # A figure shared with another plan may be locked there alone: the page says the year is locked when
        # every cell is.
        self.locked = year in locks.locked_plan_years(plan, ids, locked=locked)
        closed = plan.closes(year)
        targets = {}
        for target in Target.objects.filter(indicator__plan=plan, district=district).order_by("year"):
            # The milestone of this year if there is one, else the next one, else the last.
            chosen = targets.get(target.indicator_id)
            if chosen is None or chosen.year < year:
                targets[target.indicator_id] = target
        # A continuing indicator's figures are stored on the first indicator of its chain (README).
        shown_as = showing(indicators)
        stored = Observation.objects.filter(
            indicator__in=list(shown_as), district=district, year__gte=plan.base_year, year__lte=year
        )
        figures = {(shown_as[o.indicator_id], o.year): o for o in stored}
        self.rows = [
            GridRow(
                indicator=i,
                past=[figures.get((i.pk, y)) for y in self.years],
                target=targets.get(i.pk),
                current=figures.get((i.pk, year)),
                locked=closed or year in locked[i.pk],
            )
            for i in indicators
        ]
        # Said before submitting, so a typing or unit error is caught at the source. The median of the other
        # districts is shown to officials who cannot see their figures: a median names no district.
        shown = [(r.indicator.pk, district.pk, year, r.current.value) for r in self.rows if r.current]
        flagged = outliers.find(plan, shown)
        for row in self.rows:
            row.outliers = flagged.get((row.indicator.pk, district.pk, year), [])
        settled = (ObservationStatus.APPROVED, ObservationStatus.CITY_APPROVED)
        editable = [r for r in self.rows if not r.locked and r.status not in settled]
        # A copy that may change: a draft saved in part keeps the saved cells' new versions (_save).
        data = data.copy() if data is not None else None
        self.formset = EntryFormSet(data, initial=[self._initial(r) for r in editable])
        for row, form in zip(editable, self.formset.forms, strict=False):
            row.form = form
        self._editable = {r.indicator.code: r for r in editable}
        self._shown_as = shown_as
        self.saved, self.errors = [], []
        self.warnings = []  # the 仅提示 rules the saved figures break, each said once

    @property
    def locked_message(self):
        return locks.locked_message(self.year)

    @staticmethod
    def _initial(row):
        initial = {"indicator": row.indicator.code}
        if row.current:
            initial.update(
                version=row.current.version,
                value=format(row.current.value.normalize(), "f"),
                confirm=row.current.confirmed_large_move,
                **{name: getattr(row.current, name) for name in ("note", "source", "reason", "measures")},
            )
        return initial

    def save(self, *, by, action):
        """Store the filled cells through the one write path; False (with errors on the forms) if any is refused.

        提交审核 is all or nothing; 保存草稿 stores the good cells (`saved`) and leaves the bad ones as typed, with
        their errors. Wrong inputs are marked `aria-invalid` and the first gets `autofocus`, so the page opens
        at it, without JavaScript."""
        saved = self._save(by=by, action=action)
        if not saved:
            first = True
            for row in self.rows:
                if row.form is not None and row.form.errors:
                    names = [n for n in row.form.errors if n in row.form.fields] or ["value"]
                    for name in names:
                        row.form.fields[name].widget.attrs["aria-invalid"] = "true"
                    if first:
                        row.form.fields[names[0]].widget.attrs["autofocus"] = True
                        first = False
        return saved

    @property
    def bad_cells(self):
        """(indicator, id of the input to go to, messages) of each wrong cell, in the grid's order."""
        cells = []
        for row in self.rows:
            form = row.form
            if form is None or not form.errors:
                continue
            names = [n for n in form.errors if n in form.fields] or ["value"]
            messages = [m for errors in form.errors.values() for m in errors]
            cells.append((row.indicator, form[names[0]].id_for_label, messages))
        return cells

    @property
    def submitted(self):
        return [o for o in self.saved if o.status == ObservationStatus.SUBMITTED]

    def _save(self, *, by, action):
        if not isinstance(action, str) or action not in self.ACTIONS:
            self.formset._non_form_errors = self.formset.error_class([_("请选择“保存草稿”或“提交审核”。")])
            return False
        if self.formset.is_bound and self._tampered():
            return False
        draft = action == "save"
        if not self.formset.is_valid() and not draft:
            return False
        rows, forms_by_code = [], {}
        for form in self.formset.forms:
            if not form.is_valid():
                continue  # a draft leaves the cells that do not even parse as typed
            data = form.cleaned_data
            if not data:
                continue  # an extra form nobody filled in
            row = self._editable[data["indicator"]]
            if not data["value"].strip():
                continue  # an empty cell is left as it is
            forms_by_code[row.indicator.code] = form
            rows.append(
                pipeline.Row(
                    indicator=row.indicator,
                    district=self.district,
                    year=self.year,
                    key=row.indicator.code,
                    action=self.ACTIONS[action],
                    **{n: data[n] for n in ("value", "note", "source", "reason", "measures", "confirm", "version")},
                )
            )
        # The write is all or nothing: a draft writes again without the refused cells until the rest goes in.
        while True:
            try:
                outcome = pipeline.write(pipeline.Batch(rows, require_version=True, keep_same=True), by=by)
            except pipeline.Conflict as conflict:
                self.formset._non_form_errors = self.formset.error_class([str(conflict)])
                return False
            for problem in outcome.problems:
                form = forms_by_code[problem.key]
                shown = problem.field in form.fields and problem.field not in ("indicator", "version")
                form.add_error(problem.field if shown else None, problem.message)
            refused = {problem.key for problem in outcome.problems}
            if not refused or not draft:
                break
            rows = [row for row in rows if row.key not in refused]
            if not rows:
                break
        if not outcome.problems:
            self._saved_in_part(outcome.changed)
            self.warnings = list(dict.fromkeys(b.message for c in outcome.checked for b in c.warnings))
        return not outcome.problems and self.formset.is_valid()

    def _saved_in_part(self, changed):
        """Keep the page right after a draft saved in part: the saved cells' status and version."""
        self.saved = changed
        by_indicator = {self._shown_as[o.indicator_id]: o for o in changed}
        for n, form in enumerate(self.formset.forms):
            row = self._editable.get(form.cleaned_data.get("indicator")) if form.is_valid() else None
            if row is not None and row.indicator.pk in by_indicator:
                row.current = by_indicator[row.indicator.pk]
                self.formset.data[f"{self.formset.prefix}-{n}-version"] = str(row.current.version)

    def _tampered(self):
        """A form count or cells that are not this page's (a stale page, a duplicated or missing form)."""
        try:
            count = self.formset.total_form_count()
        except forms.ValidationError:
            count = -1
        codes = [self.formset.data.get(f"{self.formset.prefix}-{n}-indicator") for n in range(max(count, 0))]
        if None in codes or len(set(codes)) != len(codes) or not set(codes) <= set(self._editable):
            self.formset._non_form_errors = self.formset.error_class(
                [_("页面已过期或表单不完整，请刷新页面后重新填写。")]
            )
            return True
        return False

    @property
    def error_count(self):
        """How many cells (or page-wide problems) are wrong, for the summary at the top."""
        if not self.formset.is_bound:
            return 0
        return sum(1 for form in self.formset.forms if form.errors) + len(self.formset.non_form_errors())


class ReviewForm(forms.Form):
    """Approve or return the ticked submitted figures, or one figure through its own row's buttons."""

    step = forms.ChoiceField(choices=[("approve", _("审核通过")), ("return", _("退回"))])
    selected = forms.ModelMultipleChoiceField(
        queryset=Observation.objects.none(),
        error_messages={
            "required": _("请至少选择一项数据。"),
            # A figure approved, returned or withdrawn by someone else since the page was opened.
            "invalid_choice": _(
                "所选数据中有一项已不在待审核之列（可能已被他人审核、退回，或被填报人撤回修改）。请刷新页面后重新选择。"
            ),
            "invalid_pk_value": _("所选数据有误，请刷新页面后重新选择。"),
        },
    )
    comment = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, *, queryset):
        if data is not None and data.get("one"):
            # A row's own button ("approve-12") acts on that figure with that row's comment.
            step, _sep, pk = data["one"].partition("-")
            data = data.copy()
            data["step"] = step
            data.setlist("selected", [pk])
            data["comment"] = data.get(f"comment-{pk}") or data.get("comment", "")
        super().__init__(data)
        self.fields["selected"].queryset = queryset

    @property
    def versions(self):
        """The version of each figure the reviewer saw, so a figure changed meanwhile is not approved blind."""
        return {o.pk: self.data.get(f"version-{o.pk}") for o in self.cleaned_data["selected"]}


class ReviewFilters(forms.Form):
    """The review page's filters (GET): district, year, indicator and outliers only, each optional."""

    district = forms.ModelChoiceField(
        label=_("地区"), queryset=District.objects.all(), to_field_name="code", required=False, empty_label=_("全部")
    )
    year = forms.TypedChoiceField(label=_("年份"), coerce=int, required=False, empty_value=None)
    indicator = forms.ModelChoiceField(
        label=_("指标"), queryset=Indicator.objects.none(), to_field_name="code", required=False, empty_label=_("全部")
    )
    outliers = forms.BooleanField(label=_("只看异常值"), required=False)

    def __init__(self, data, *, plan):
        super().__init__(data)
        self.fields["year"].choices = [("", _("全部"))] + [
            (y, str(y)) for y in range(plan.base_year, plan.target_year + 1)
        ]
        self.fields["indicator"].queryset = Indicator.objects.filter(plan=plan)
        self.fields["indicator"].label_from_instance = lambda i: i.display_name
        self.fields["district"].label_from_instance = lambda d: d.display_short_name

    def filter(self, pending):
        """The figures the valid filters ask for; an invalid filter is ignored (the form shows why)."""
        if not self.is_valid():
            return pending
        data = self.cleaned_data
        if data["district"]:
            pending = pending.filter(district=data["district"])
        if data["year"]:
            pending = pending.filter(year=data["year"])
        if data["indicator"]:
            pending = pending.filter(indicator=data["indicator"].statistic)
        return pending

    def keep(self, shown):
        """Of the figures `review_page.annotate` has looked at, those the outliers filter keeps."""
        if self.is_valid() and self.cleaned_data["outliers"]:
            return [o for o in shown if o.outliers]
        return shown


class ReviewStepForm(forms.Form):
    """One review step on one figure (its page): approve, return or reopen, with a comment."""

    comment = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class UploadForm(forms.Form):
    """An Excel file (the fill-in template or the long format) and what to do with its figures."""

    file = forms.FileField(label=_("文件"), help_text=_("填报模板（.xlsx）或长表（.xlsx/.csv），不超过 5 MB。"))
    action = forms.ChoiceField(
        label=_("导入后"),
        choices=[(pipeline.Action.SAVE, _("存为草稿")), (pipeline.Action.SUBMIT, _("提交审核"))],
        initial=pipeline.Action.SAVE,
        widget=forms.RadioSelect,
    )
