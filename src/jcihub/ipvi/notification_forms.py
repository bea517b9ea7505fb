"""Forms of the notification pages; the rules themselves live in notification_services."""

from typing import Any

from django import forms

from jcihub.accounts.models import Team
from jcihub.core.forms import usa_widgets
from jcihub.referrals.models import Service

from . import letters
from .charging import ChargingOutcome
from .models import Candidate, Tier
from .notifications import (
    CallInInvitation,
    DeliveryMethod,
    Language,
    NotificationAttempt,
    ServiceNeed,
    ServiceOffer,
    SpeakerKind,
    TeamRole,
)

PLACEHOLDER_HELP = "Placeholders: " + "; ".join(
    "{" + name + "} " + meaning for name, meaning in letters.PLACEHOLDERS.items()
)


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


def _moment(label: str, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=help_text or "Date and time, for example 2026-12-02 14:30.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class TemplateVersionForm(_Form):
    subject = forms.CharField(max_length=200, label="Subject (the letter's title)")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16}), label="Text", help_text=PLACEHOLDER_HELP
    )
    change_note = forms.CharField(max_length=300, required=False, label="What changed, and why")


class NewTemplateForm(TemplateVersionForm):
    tier = forms.ModelChoiceField(queryset=Tier.objects.order_by("level"), empty_label=None)
    language = forms.ChoiceField(choices=Language.choices)
    field_order = ["tier", "language", "subject", "body"]


class LetterForm(_Form):
    language = forms.ChoiceField(choices=Language.choices, label="Language of the letter")


class LetterDeliveryForm(_Form):
    is_delivered = forms.TypedChoiceField(
        choices=[("yes", "Delivered"), ("no", "Could not be delivered")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        label="Outcome",
    )
    method = forms.ChoiceField(
        choices=[("", "—"), *DeliveryMethod.choices], required=False, label="How"
    )
    delivered_by = forms.CharField(max_length=120, required=False, label="Delivered by")
    occurred_at = _moment("When")
    reason = forms.CharField(max_length=500, required=False, label="Why it could not be delivered")


class ScheduleForm(_Form):
    scheduled_for = _moment("Planned for")


class TeamMemberForm(_Form):
    role = forms.ChoiceField(choices=TeamRole.choices)
    name = forms.CharField(max_length=120)
    organization = forms.CharField(max_length=200, required=False, label="Agency or organisation")


class ConversationForm(_Form):
    said = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="What the team said"
    )
    offered = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="What help was offered"
    )
    person_response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="How the person answered"
    )
    follow_up = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Follow-up"
    )
    follow_up_due = forms.DateField(
        required=False, label="Follow-up due", widget=forms.DateInput(attrs={"type": "date"})
    )


class AttemptForm(_Form):
    attempted_at = _moment("When")
    outcome = forms.ChoiceField(choices=NotificationAttempt.Outcome.choices)
    note = forms.CharField(max_length=500, required=False)


class CloseForm(_Form):
    reason = forms.CharField(max_length=500, label="Why the notification will not be delivered")


class CallInForm(_Form):
    title = forms.CharField(max_length=200)
    held_at = _moment("Date and time")
    venue = forms.CharField(max_length=200, help_text="A public venue, never a home address.")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SpeakerForm(_Form):
    kind = forms.ChoiceField(choices=SpeakerKind.choices, label="Speaks for")
    name = forms.CharField(max_length=120)
    organization = forms.CharField(max_length=200, required=False, label="Agency or organisation")


class InviteForm(_Form):
    candidate = forms.ModelChoiceField(
        queryset=Candidate.objects.none(), label="Person (decided tier)"
    )

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["candidate"]
        field.queryset = candidates if candidates is not None else Candidate.objects.none()
        field.label_from_instance = lambda c: (
            f"{c.person.full_name} ({c.person.record_number}), tier {c.tier.code}, "
            f"incident {c.incident_date or 'date unknown'}"
        )


class AttendanceForm(_Form):
    invitation = forms.IntegerField(widget=forms.HiddenInput)
    attendance = forms.ChoiceField(choices=CallInInvitation.Attendance.choices)


class ServiceOfferForm(_Form):
    need = forms.ChoiceField(choices=ServiceNeed.choices, label="Service")
    description = forms.CharField(max_length=300, required=False, label="Details")
    directory_service = forms.ModelChoiceField(
        queryset=Service.objects.filter(
            status=Service.Status.ACTIVE, organization__team__isnull=False
        )
        .select_related("organization")
        .order_by("organization__name", "name"),
        required=False,
        label="Refer to a directory service (optional)",
        help_text="Makes a draft referral, sent from Referrals once consent is in force.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["directory_service"]
        field.label_from_instance = lambda s: f"{s.organization.name}: {s.name}"


class ServiceAnswerForm(_Form):
    response = forms.ChoiceField(choices=ServiceOffer.Response.choices, label="Answer")


class ShareForm(_Form):
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.filter(kind=Team.Kind.AGENCY).order_by("name"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
        label="Liaison teams",
        help_text="The police and prosecutor teams whose liaisons follow this case.",
    )


NO_VICTIM_TEXT = "Never write where a victim lives, stays or can be reached."


class ChargingDecisionForm(_Form):
    """A prosecutor's charging decision on a re-offence; once one is recorded, the same
    form corrects it and asks why (see charging_services)."""

    outcome = forms.ChoiceField(
        choices=ChargingOutcome.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        label="Outcome",
    )
    charges_filed = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label="Charges filed",
        help_text="Only when charged: the charges and their statutes.",
    )
    decided_on = forms.DateField(
        label="Decision date",
        help_text="Not in the future, and not before the re-offence.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
        label="Reasons",
        help_text=f"Needed when declining or referring back. {NO_VICTIM_TEXT}",
    )
    correction_reason = forms.CharField(
        max_length=500,
        required=False,
        label="Why this corrects the decision recorded before",
    )

    def __init__(self, *args: Any, is_correction: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_correction:
            self.fields["correction_reason"].required = True
        else:
            del self.fields["correction_reason"]
