"""The directory search form (shared by the search page and the API) and the referral forms."""

from typing import Any

from django import forms
from django.db.models import Q

from jcihub.accounts.models import Team
from jcihub.core.forms import clean_search_text, usa_widgets

from .models import EntryChange, Organization, ReferralStatus, Service, TaxonomyTerm

ANY_STATUS = "any"
MILES = (1, 2, 5, 10, 25, 50)
DEFAULT_MILES = 5


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
    near = forms.RegexField(
        regex=r"^\d{5}$",
        required=False,
        label="Near ZIP code",
        help_text="Services with a site within the distance below of this ZIP code's "
        "centre, nearest first.",
        error_messages={"invalid": "Enter a 5-digit ZIP code."},
    )
    within = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", f"{DEFAULT_MILES} miles"), *((str(m), f"{m} miles") for m in MILES)],
        label="Within",
        error_messages={"invalid_choice": "Choose a distance from the list."},
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
        if data.get("near"):
            from .geo import zip_point

            data["near_point"] = zip_point(data["near"])
            if data["near_point"] is None:
                self.add_error(
                    "near",
                    f"The directory knows no location for ZIP code {data['near']}: search "
                    "by “ZIP code” instead (sites in or serving it).",
                )
        return data


# --- Referrals ------------------------------------------------------------------------------


def _service_label(service: Service) -> str:
    label = f"{service.organization.name} — {service.name}"
    if service.status != Service.Status.ACTIVE:
        label += f" (no longer offered: {service.get_status_display().lower()})"
    return label


class ReferralStartForm(forms.Form):
    """Step one of a referral: who, and to which service (a query string, so the page
    that follows can be linked from a person's page or a service's page)."""

    person = forms.CharField(
        max_length=20,
        label="Person's record number",
        help_text="As on their page, e.g. P0000123.",
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        label="Service",
        help_text="Services of organisations that receive referrals through JCI Hub.",
        error_messages={"invalid_choice": "Choose a service from the list."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Service.objects.filter(organization__team__isnull=False)
            .select_related("organization")
            .order_by("organization__name", "name", "id")
        )
        field.label_from_instance = _service_label  # type: ignore[method-assign,assignment]
        usa_widgets(self)

    def clean_person(self) -> int:
        value = clean_search_text(self.cleaned_data.get("person") or "", 20).upper()
        digits = value[1:] if value.startswith("P") else value
        if not digits.isdigit() or len(digits) > 12:
            raise forms.ValidationError("Enter a record number such as P0000123.")
        return int(digits)


class ReferralSendForm(forms.Form):
    """Step two: the need it answers and a note for the organisation."""

    need = forms.ModelChoiceField(
        queryset=TaxonomyTerm.objects.none(),
        required=False,
        label="Need category",
        empty_label="Not categorised",
        help_text="What the referral is for; the report counts referrals by it.",
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why you are referring (shared with the organisation)",
        help_text="Shared only when the person's consent covers general information.",
    )

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["need"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = TaxonomyTerm.objects.filter(attributes__service=service).distinct()
        first = field.queryset.order_by("name", "id").first()
        field.initial = first.pk if first else None
        usa_widgets(self)


NOTE_ONLY = "note"
SERVICE_DELIVERED = "service_delivered"
FOLLOW_UP_DONE = "follow_up_done:"  # + the follow-up's id


class ReferralUpdateForm(forms.Form):
    """Record progress: a move to a next state, or a note."""

    action = forms.ChoiceField(
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        label="What happened",
        error_messages={
            "required": "Choose what happened.",
            "invalid_choice": "Choose what happened.",
        },
    )
    text = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Note, reason or outcome",
        help_text="Required to decline (the reason), to complete or close (the outcome), "
        "and for a note or a service delivered.",
    )
    due_on = forms.DateField(
        required=False,
        label="Follow up by (optional)",
        help_text="For a follow-up note: the date it should be done by, YYYY-MM-DD. It shows "
        "as due until its own side (the department's or the organisation's) marks it done.",
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        usa_widgets(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("due_on") is not None and cleaned.get("action") != NOTE_ONLY:
            self.add_error("due_on", "Only a follow-up note has a date to do it by.")
        return cleaned


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *ReferralStatus.choices],
        error_messages={"invalid_choice": "Choose a status from the list."},
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label="Organisation",
        empty_label="Any organisation",
        error_messages={"invalid_choice": "Choose an organisation from the list."},
    )
    overdue = forms.BooleanField(
        required=False, label="Only overdue (not answered, or accepted and not started, in time)"
    )
    follow_up_due = forms.BooleanField(required=False, label="Only with a follow-up due")
    mine = forms.BooleanField(required=False, label="Only referrals I sent")

    def __init__(
        self, *args: Any, organizations: Any, for_partner: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations
        if for_partner:  # partners send no referrals
            del self.fields["mine"]
        usa_widgets(self)


class ReportForm(forms.Form):
    since = forms.DateField(
        required=False,
        label="Sent from",
        help_text="YYYY-MM-DD",
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    until = forms.DateField(
        required=False,
        label="Sent until",
        help_text="YYYY-MM-DD",
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


# --- Partner-proposed changes to directory entries ------------------------------------------


class OrganizationChangeForm(forms.Form):
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    email = forms.EmailField(required=False, label="E-mail")
    website = forms.URLField(required=False, assume_scheme="https")
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note to the department",
        help_text="What changed and why (optional).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class ServiceChangeForm(OrganizationChangeForm):
    url = forms.URLField(required=False, assume_scheme="https", label="Web page")
    status = forms.ChoiceField(choices=Service.Status.choices)
    eligibility_description = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Who is eligible",
    )
    application_process = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="How to apply",
    )
    fees_description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Fees"
    )
    wait_time = forms.CharField(required=False, max_length=300)
    field_order = [
        "description",
        "url",
        "email",
        "status",
        "eligibility_description",
        "application_process",
        "fees_description",
        "wait_time",
        "note",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["website"]


class OrganizationSettingsForm(forms.Form):
    """A directory manager's settings for an organisation (`set_referral_settings`)."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label="Partner team",
        empty_label="None: the organisation receives no referrals through JCI Hub",
        help_text="Its partner users receive and answer the referrals to its services and "
        "propose changes to its entries.",
    )
    is_victim_service_provider = forms.BooleanField(
        required=False,
        label="Victim service provider (a shelter, a domestic-violence or sexual-assault "
        "programme)",
        help_text="Every referral to it, past and future, is then a victim-services "
        "referral: seen only by its sender, victim advocates and the organisation.",
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "team": organization.team_id,
                "is_victim_service_provider": organization.is_victim_service_provider,
            },
        )
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        # Teams in use, and the organisation's own even if since disabled.
        field.queryset = Team.objects.filter(
            Q(disabled_on__isnull=True) | Q(pk=organization.team_id),
            kind=Team.Kind.PARTNER_ORGANIZATION,
        ).order_by("name")
        usa_widgets(self)


class ChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve and apply"), ("reject", "Reject")],
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        error_messages={"required": "Choose approve or reject."},
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason",
        help_text="Needed to reject; the partner sees it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class ChangeFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Waiting for review"), *EntryChange.Status.choices[1:], ("all", "Any")],
        error_messages={"invalid_choice": "Choose a status from the list."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)
