"""The incident search form, shared by the page, the CSV export and the API."""

from typing import Any

from django import forms

from jcihub.core.forms import clean_search_text, usa_widgets

DATE = forms.DateInput(attrs={"type": "date"})


class IncidentFilterForm(forms.Form):
    since = forms.DateField(required=False, widget=DATE, label="Reported from")
    until = forms.DateField(required=False, widget=DATE, label="Reported to")
    offense = forms.CharField(
        max_length=80, required=False, help_text="Part of the offense, its code or IBRS code."
    )
    dv = forms.ChoiceField(
        choices=[
            ("", "Any"),
            ("yes", "Domestic violence"),
            ("no", "Not DV"),
            ("unknown", "Not stated"),
        ],
        required=False,
        label="Domestic violence",
    )
    beat = forms.RegexField(regex=r"^\d{1,4}$", required=False, max_length=4)
    zip_code = forms.RegexField(
        regex=r"^\d{5}$",
        required=False,
        label="ZIP code",
        error_messages={"invalid": "Enter a 5-digit ZIP code."},
    )
    address = forms.CharField(max_length=100, required=False, help_text="Part of the address.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("offense", "address"):
            data[name] = clean_search_text(data.get(name) or "", 100)
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range is before its start.")
        return data
