"""Forms of the victim-outreach page: one per thing an advocate records."""

from typing import Any

from django import forms
from django.utils import timezone

from jcihub.core.forms import usa_widgets

from .victims import (
    CloseReason,
    ContactMethod,
    ContactOutcome,
    ProtectiveOrderStatus,
    ServiceResponse,
    VictimServiceKind,
)


class _UsaForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class AttemptForm(_UsaForm):
    attempted_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    method = forms.ChoiceField(label="How", choices=ContactMethod.choices)
    outcome = forms.ChoiceField(label="Outcome", choices=ContactOutcome.choices)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=500,
        help_text="Shown to victim advocates only.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"attempted_at": timezone.localtime().replace(second=0)})
        super().__init__(*args, **kwargs)


class SafetyNoteForm(_UsaForm):
    note = forms.CharField(
        label="Safety-planning note",
        max_length=4000,
        help_text="Shown to victim advocates only.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ServiceOfferForm(_UsaForm):
    kind = forms.ChoiceField(label="Service offered", choices=VictimServiceKind.choices)
    offered_on = forms.DateField(label="Offered on", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"offered_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ServiceAnswerForm(_UsaForm):
    service = forms.IntegerField(widget=forms.HiddenInput)
    response = forms.ChoiceField(
        label="The victim's answer",
        choices=[(v, label) for v, label in ServiceResponse.choices if v != "pending"],
    )


class ProtectiveOrderForm(_UsaForm):
    status = forms.ChoiceField(label="Protective order", choices=ProtectiveOrderStatus.choices)
    on = forms.DateField(
        label="Since", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class DeclineForm(_UsaForm):
    note = forms.CharField(
        label="What the victim said",
        required=False,
        max_length=300,
        help_text="Optional. Outreach stops until the victim asks for contact again.",
    )


class ResumeForm(_UsaForm):
    note = forms.CharField(
        label="How the victim asked for contact again",
        max_length=300,
        help_text="For example: called the advocate line and asked for help with an order.",
    )


class CloseCaseForm(_UsaForm):
    reason = forms.ChoiceField(
        label="Why the case is closed",
        choices=CloseReason.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    note = forms.CharField(
        label="More about why",
        required=False,
        max_length=300,
        help_text="Needed for other. Never write where the victim is.",
    )


class ReopenCaseForm(_UsaForm):
    note = forms.CharField(
        label="Why the case is reopened",
        max_length=300,
        help_text="For example: a new incident, or the victim asked the advocate for help.",
    )


class OpenCaseForm(forms.Form):
    incident = forms.IntegerField()
    victim = forms.IntegerField()
