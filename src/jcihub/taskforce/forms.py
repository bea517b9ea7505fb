"""The ranked list's filters, the offense-category forms, and the case forms."""

from typing import Any

from django import forms

from jcihub.accounts.models import User
from jcihub.core.forms import usa_widgets
from jcihub.places.models import Property

from .models import Agency, Category

DATE = forms.DateInput(attrs={"type": "date"})


class RankingFilterForm(forms.Form):
    end = forms.DateField(
        required=False,
        widget=DATE,
        label="Windows end on",
        help_text="Default: today, or the latest incident's date if the data stop earlier.",
    )
    category = forms.ChoiceField(
        choices=[("", "Any rule"), *Category.choices],
        required=False,
        label="Category",
        help_text="Only the rules about this category.",
    )
    beat = forms.RegexField(
        regex=r"^\d{1,4}$",
        required=False,
        max_length=4,
        help_text="Count only incidents in this police beat.",
        error_messages={"invalid": "Enter a beat number of up to 4 digits."},
    )
    zip_code = forms.RegexField(
        regex=r"^\d{5}$",
        required=False,
        label="ZIP code",
        error_messages={"invalid": "Enter a 5-digit ZIP code."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class OffenseCategoriesForm(forms.Form):
    label = forms.CharField(max_length=120, required=False, help_text="What the code means.")
    categories = forms.MultipleChoiceField(
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Counts as",
        help_text="An incident with this offense counts in every category ticked. "
        "Domestic violence and firearm also count incidents KCPD flags, whatever the code.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class NewOffenseCodeForm(OffenseCategoriesForm):
    code = forms.RegexField(
        regex=r"^[0-9A-Za-z]{1,10}$",
        label="IBRS code",
        help_text="As KCPD writes it, for example 13A or 520.",
        error_messages={"invalid": "Enter up to 10 letters and digits."},
    )
    field_order = ["code", "label", "categories"]


class OpenCaseForm(forms.Form):
    property = forms.CharField(
        max_length=12,
        label="Property record number",
        help_text="As on the property's page, for example L0000123.",
    )
    lead_agency = forms.ChoiceField(choices=[("", "- Select -"), *Agency.choices])
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why the property is under review.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)

    def clean_property(self) -> Property:
        text = self.cleaned_data["property"].strip().upper().removeprefix("L")
        number = int(text) if text.isdigit() and len(text) <= 9 else 0
        found = Property.objects.filter(pk=number).first() if number else None
        if found is None:
            raise forms.ValidationError("There is no property with that record number.")
        return found


class ActionItemForm(forms.Form):
    description = forms.CharField(max_length=300, label="What is to be done")
    owner_agency = forms.ChoiceField(choices=[("", "- Select -"), *Agency.choices], label="Agency")
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        label="Person responsible",
        help_text="Optional: one person at that agency.",
    )
    due_on = forms.DateField(widget=DATE, label="Due")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class CloseCaseForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label="Why the case closes",
        help_text="Needed when action items are still open.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)
