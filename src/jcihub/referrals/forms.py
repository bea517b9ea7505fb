"""The directory search form, shared by the search page and the API."""

from typing import Any

from django import forms

from jcihub.core.forms import clean_search_text, usa_widgets

from .models import Service, TaxonomyTerm

ANY_STATUS = "any"


def category_choices() -> list[tuple[str, Any]]:
    """Need categories grouped under their taxonomy's heading ("Medical": Dentist, …)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for pk, name, heading in TaxonomyTerm.objects.order_by("taxonomy", "name").values_list(
        "id", "name", "taxonomy"
    ):
        groups.setdefault(heading or "Other", []).append((str(pk), name))
    return [("", "Any need"), *groups.items()]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        max_length=100,
        required=False,
        label="Words",
        help_text="Part of a service's or organisation's name or description.",
    )
    category = forms.ChoiceField(
        required=False,
        label="Need category",
        help_text="What the person needs help with.",
        error_messages={"invalid_choice": "Choose a need category from the list."},
    )
    zip_code = forms.RegexField(
        regex=r"^\d{5}$",
        required=False,
        label="ZIP code",
        help_text="Services with a site in this ZIP code or serving it.",
        error_messages={"invalid": "Enter a 5-digit ZIP code."},
    )
    language = forms.CharField(
        max_length=60,
        required=False,
        help_text="A language name or ISO 639 code, e.g. Spanish or es.",
    )
    eligibility = forms.CharField(
        max_length=100,
        required=False,
        help_text="Words in who the service is for, e.g. veteran or women.",
    )
    age = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=120,
        help_text="Services open to a person of this age.",
        error_messages={"invalid": "Enter the age as a whole number of years."},
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Active"), (ANY_STATUS, "Any status"), *Service.Status.choices[1:]],
        help_text="Services no longer offered are left out unless you ask for them.",
        error_messages={"invalid_choice": "Choose a status from the list."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = category_choices()
        usa_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("q", "language", "eligibility"):
            data[name] = clean_search_text(data.get(name) or "", 100)
        return data
