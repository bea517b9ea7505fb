"""Forms for the places pages: search, and an administrator's correction of a mapping."""

from typing import Any

from django import forms

from jcihub.core.forms import clean_search_text, usa_widgets

from .models import Property, PropertyKind

ZIP_FIELD: dict[str, Any] = {
    "regex": r"^\d{5}$",
    "required": False,
    "label": "ZIP code",
    "max_length": 5,
    "error_messages": {"invalid": "Enter a 5-digit ZIP code."},
}


class _UsaForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class PropertySearchForm(_UsaForm):
    q = forms.CharField(
        max_length=100,
        required=False,
        label="Address",
        help_text="Any part of it: “3400 Norton”, “35th & Prospect”.",
    )
    zip_code = forms.RegexField(**ZIP_FIELD)
    kind = forms.ChoiceField(choices=[("", "Any"), *PropertyKind.choices], required=False)

    def clean_q(self) -> str:
        return clean_search_text(self.cleaned_data.get("q") or "", 100)


class RawAddressSearchForm(_UsaForm):
    q = forms.CharField(
        max_length=100,
        required=False,
        label="Address",
        help_text="Words in the address as the source wrote it, or in its property.",
    )
    source = forms.RegexField(
        regex=r"^[a-z0-9_-]{1,20}$",
        required=False,
        max_length=20,
        help_text="For example kcpd.",
        error_messages={"invalid": "Lower-case letters, digits, - and _ only."},
    )
    corrected = forms.BooleanField(required=False, label="Only corrected by hand")

    def clean_q(self) -> str:
        return clean_search_text(self.cleaned_data.get("q") or "", 100)


def _property_number(value: str) -> int | None:
    text = value.strip().upper().removeprefix("L")
    return int(text) if text.isdigit() and len(text) < 12 else None


class ChooseProperty(_UsaForm):
    """Re-point to a property that exists, by its number ("L0000123" or "123")."""

    property = forms.CharField(
        max_length=20,
        label="Property number",
        help_text="Shown on the property\u2019s page, e.g. L0000123.",
        error_messages={"required": "Give a property number, or type the correct address."},
    )

    def clean_property(self) -> Property:
        number = _property_number(self.cleaned_data["property"])
        found = Property.objects.filter(pk=number).first() if number is not None else None
        if found is None:
            raise forms.ValidationError("There is no property with that number.")
        return found


class TypeAddress(_UsaForm):
    """Re-point to the property a typed address normalises to (made if it is new)."""

    line = forms.CharField(
        max_length=120,
        label="Address line",
        help_text="A house number and street, a block (“3400 block Norton Ave”) or an "
        "intersection (“E 35th St & Prospect Ave”).",
    )
    city = forms.CharField(max_length=40, required=False, initial="Kansas City")
    state = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        required=False,
        max_length=2,
        initial="MO",
        error_messages={"invalid": "Two letters, e.g. MO."},
    )
    zip_code = forms.RegexField(**ZIP_FIELD)


class ParcelForm(_UsaForm):
    parcel_number = forms.CharField(max_length=40, required=False, label="Parcel number")
    owner_name = forms.CharField(max_length=200, required=False, label="Owner of record")
    owner_address = forms.CharField(max_length=300, required=False, label="Owner's mailing address")
    land_use = forms.CharField(max_length=100, required=False, label="Land use")


class ParcelImportForm(_UsaForm):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with a header row: property (record number, L0000123) or "
        "address, city and zip_code; then parcel_number, owner_name, owner_address, land_use. "
        "At most 20 MB.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 20 MB; split it.")
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError("Choose a .csv file.")
        return upload
