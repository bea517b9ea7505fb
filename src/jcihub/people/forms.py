"""Forms for the people pages; rules live in services and validators, not here."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from jcihub.accounts.models import Team, User
from jcihub.core.forms import usa_widgets
from jcihub.core.sensitivity import Sensitivity

from .models import (
    Address,
    ContactPoint,
    Ethnicity,
    IdentifierSystem,
    PersonName,
    Race,
    RelationshipKind,
    SafetyFlag,
    Sex,
)

DATE = forms.DateInput(attrs={"type": "date"})


class _UsaForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class PersonForm(_UsaForm):
    given_name = forms.CharField(max_length=100, label="Given (first) name")
    middle_name = forms.CharField(max_length=100, required=False)
    family_name = forms.CharField(max_length=100, label="Family (last) name")
    suffix = forms.CharField(max_length=20, required=False)
    birth_date = forms.DateField(
        required=False, widget=DATE, label="Date of birth", help_text="Leave blank if unknown."
    )
    birth_date_is_estimated = forms.BooleanField(
        required=False, label="Date of birth is an estimate"
    )
    sex = forms.ChoiceField(choices=Sex.choices, initial=Sex.UNKNOWN)
    gender_identity = forms.CharField(
        max_length=60, required=False, help_text="As the person describes it."
    )
    races = forms.MultipleChoiceField(
        choices=Race.choices, required=False, widget=forms.CheckboxSelectMultiple, label="Race"
    )
    ethnicity = forms.ChoiceField(choices=Ethnicity.choices, initial=Ethnicity.UNKNOWN)
    primary_language = forms.CharField(max_length=60, initial="English")
    needs_interpreter = forms.BooleanField(required=False)
    is_restricted = forms.BooleanField(
        required=False,
        label="Restricted record",
        help_text="Hide this person from registry search except to staff assigned to them "
        "(for example a victim in a protected programme).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["races"].widget.attrs["class"] = "usa-checkbox__input"

    def clean_birth_date(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError("Date of birth cannot be in the future.")
        if value and value.year < 1900:
            raise forms.ValidationError("Date of birth cannot be before 1900.")
        return value


class IntakeForm(PersonForm):
    """A new person, with one identifier if the referral carries one: it is the strongest
    evidence that the person is already known, and is stored with the new record."""

    field_order = [*list(PersonForm.base_fields)[:6], "identifier_system", "identifier"]

    identifier_system = forms.ChoiceField(
        choices=[("", "- None -"), *IdentifierSystem.choices],
        required=False,
        label="Identifier type",
    )
    identifier = forms.CharField(
        max_length=40,
        required=False,
        label="Identifier",
        help_text="For example the KCPD person number or jail booking number, if known.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        system, value = data.get("identifier_system"), data.get("identifier", "")
        if value and not system:
            self.add_error("identifier_system", "Say which system this identifier is from.")
        elif system and not value:
            self.add_error("identifier", "Enter the identifier, or set the type to None.")
        return data


class IntakeSearchForm(_UsaForm):
    """What the intake page sends for the live list of matches as the user types."""

    given_name = forms.CharField(max_length=100, required=False, label="Given (first) name")
    middle_name = forms.CharField(max_length=100, required=False)
    family_name = forms.CharField(max_length=100, label="Family (last) name")
    birth_date = forms.DateField(required=False, widget=DATE, label="Date of birth")
    sex = forms.ChoiceField(choices=Sex.choices, required=False)
    identifier_system = forms.ChoiceField(
        choices=[("", "- None -"), *IdentifierSystem.choices], required=False
    )
    identifier = forms.CharField(
        max_length=40, required=False, label="Any identifier (KCPD number, booking number…)"
    )


class NameForm(_UsaForm):
    kind = forms.ChoiceField(
        choices=[c for c in PersonName.Kind.choices if c[0] != PersonName.Kind.LEGAL]
    )
    given_name = forms.CharField(max_length=100, required=False)
    family_name = forms.CharField(max_length=100)


class IdentifierForm(_UsaForm):
    system = forms.ChoiceField(choices=IdentifierSystem.choices)
    value = forms.CharField(max_length=40)


class AddressForm(_UsaForm):
    kind = forms.ChoiceField(choices=Address.Kind.choices)
    line1 = forms.CharField(max_length=120, label="Street address")
    line2 = forms.CharField(max_length=120, required=False, label="Apartment, unit")
    city = forms.CharField(max_length=60, initial="Kansas City")
    state = forms.RegexField(
        regex=r"^[A-Z]{2}$",
        initial="MO",
        max_length=2,
        error_messages={"invalid": "Use the 2-letter state code, e.g. MO."},
    )
    zip_code = forms.RegexField(
        regex=r"^\d{5}(-\d{4})?$",
        label="ZIP code",
        error_messages={"invalid": "Enter a 5-digit ZIP code."},
    )
    is_confidential = forms.BooleanField(
        required=False,
        label="Confidential (victim-locating)",
        help_text="Only victim advocates will see it.",
    )
    valid_from = forms.DateField(required=False, widget=DATE)
    valid_to = forms.DateField(required=False, widget=DATE)


class ContactPointForm(_UsaForm):
    kind = forms.ChoiceField(choices=ContactPoint.Kind.choices)
    value = forms.CharField(max_length=254, label="Phone number or email")
    is_confidential = forms.BooleanField(required=False, label="Confidential (victim-locating)")
    is_safe_to_leave_message = forms.BooleanField(required=False, label="Safe to leave a message")


class RelationshipForm(_UsaForm):
    kind = forms.ChoiceField(
        choices=[("", "- Select -"), *RelationshipKind.choices],
        label="This person is … the other person",
    )
    related_record = forms.RegexField(
        regex=r"^[Pp]?\d{1,12}$",
        label="Other person's record number",
        help_text="e.g. P0000123",
        error_messages={"invalid": "Enter a record number such as P0000123."},
    )
    person_caused_harm = forms.BooleanField(
        required=False, label="This person has caused harm to the other"
    )
    related_person_caused_harm = forms.BooleanField(
        required=False, label="The other person has caused harm to this person"
    )
    valid_from = forms.DateField(required=False, widget=DATE)
    note = forms.CharField(max_length=300, required=False)


class ConsentForm(_UsaForm):
    recipient = forms.ModelChoiceField(
        queryset=Team.objects.filter(disabled_on__isnull=True), label="Share with"
    )
    categories = forms.MultipleChoiceField(
        choices=[c for c in Sensitivity.choices if c[0] != Sensitivity.CRIMINAL_HISTORY],
        widget=forms.CheckboxSelectMultiple,
        label="Information the person agrees to share",
    )
    purpose = forms.CharField(max_length=300)
    valid_from = forms.DateField(widget=DATE, initial=timezone.localdate)
    valid_until = forms.DateField(widget=DATE, help_text="Consent must end on a set date.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].widget.attrs["class"] = "usa-checkbox__input"


class FlagForm(_UsaForm):
    # No default: a safety flag follows everyone who opens the record, so it is chosen
    # on purpose, never saved by pressing Save on an untouched form.
    kind = forms.ChoiceField(choices=[("", "- Select a flag -"), *SafetyFlag.Kind.choices])
    note = forms.CharField(
        max_length=300, required=False, help_text="What staff need to know, briefly."
    )


class AssignmentForm(_UsaForm):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True), required=False, label="Staff member"
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(disabled_on__isnull=True), required=False
    )
    purpose = forms.CharField(max_length=120, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("user") and not data.get("team"):
            raise forms.ValidationError("Choose a staff member or a team.")
        return data


class ReasonForm(_UsaForm):
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
