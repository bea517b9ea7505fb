"""The incident search form, shared by the page, the CSV export and the API."""

from typing import Any

from django import forms

from jcihub.core.forms import clean_search_text, usa_widgets
from jcihub.places.models import Property

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
    # Set by the link from a property's page; the list says which property it is.
    property = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        widget=forms.HiddenInput,
        help_text="Property record number: incidents at that property.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)

    def clean_property(self) -> Property | None:
        number = self.cleaned_data.get("property")
        if number is None:
            return None
        found = Property.objects.filter(pk=number).first()
        if found is None:
            raise forms.ValidationError("There is no property with that record number.")
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("offense", "address"):
            data[name] = clean_search_text(data.get(name) or "", 100)
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range is before its start.")
        return data
