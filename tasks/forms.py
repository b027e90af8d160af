from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from tasks.models import TaskReport


class TaskReportForm(forms.ModelForm):
    # The version of the report the page showed (0: none yet); saving a report changed since is refused.
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    class Meta:
        model = TaskReport
        fields = ["status", "summary", "evidence_links", "evidence_file", "text_target_notes"]
        widgets = {
            "status": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 5}),
            "evidence_links": forms.Textarea(attrs={"rows": 3}),
            "text_target_notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A report always has a status: offer the four, not Django's empty "---------" radio.
        self.fields["status"].choices = self._meta.model._meta.get_field("status").choices
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0

    def clean_evidence_links(self):
        """Every line is a web address, so the page can link it safely."""
        links = [line.strip() for line in self.cleaned_data["evidence_links"].splitlines() if line.strip()]
        check = URLValidator(schemes=["http", "https"])
        for number, link in enumerate(links, start=1):
            try:
                check(link)
            except ValidationError:
                raise ValidationError(
                    _("第%(n)d行“%(link)s”不是以 http:// 或 https:// 开头的网址。"),
                    code="invalid_link",
                    params={"n": number, "link": link},
                ) from None
        return "\n".join(links)
