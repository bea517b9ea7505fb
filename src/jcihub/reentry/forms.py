"""Reentry forms: the case list's filters, opening a case, and the case page's forms."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from jcihub.accounts.models import User
from jcihub.core.forms import clean_search_text, usa_widgets
from jcihub.people.models import Person
from jcihub.referrals.forms import ReferralStartForm
from jcihub.referrals.models import Service

from . import services
from .models import (
    Case,
    CaseKind,
    CaseStatus,
    Contact,
    Goal,
    MilestoneKind,
    Need,
    NeedArea,
    NeedStatus,
    Priority,
)

DATE = forms.DateInput(attrs={"type": "date"})


class UswdsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class CaseFilterForm(UswdsForm):
    q = forms.CharField(
        max_length=100,
        required=False,
        label="Name or number",
        help_text="A name, a person's record number (P0000123) or a case number (C0000045).",
    )
    kind = forms.ChoiceField(choices=[("", "Any kind"), *CaseKind.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *CaseStatus.choices], required=False)
    need = forms.ChoiceField(
        choices=[("", "Any"), *NeedArea.choices],
        required=False,
        label="Open need",
        help_text="Cases with this need still to be met.",
    )
    release_before = forms.DateField(required=False, widget=DATE, label="Release planned by")
    mine = forms.BooleanField(required=False, label="Only cases I own")

    def clean_q(self) -> str:
        return clean_search_text(self.cleaned_data.get("q") or "", 100)


def navigators() -> QuerySet[User]:
    roles = set().union(*services.NAVIGATOR_ROLES.values())
    return User.objects.filter(is_active=True, role_id__in=roles).order_by("username")


def _navigator_label(user: User) -> str:
    return (
        f"{user.get_full_name() or user.get_username()} ({(user.role_id or '').replace('_', ' ')})"
    )


class PersonNumberField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", "Person's record number")
        kwargs.setdefault("help_text", "As on their page, e.g. P0000123.")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int:
        text = clean_search_text(super().clean(value) or "", 20).upper()
        digits = text[1:] if text.startswith("P") else text
        if not digits.isdigit() or len(digits) > 9:
            raise forms.ValidationError("Enter a record number such as P0000123.")
        return int(digits)


class OpenCaseForm(UswdsForm):
    person = PersonNumberField()
    kind = forms.ChoiceField(label="Kind of case")
    navigator = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Owner",
        help_text="The reentry navigator (or, for a victim case, the advocate) who owns it.",
    )
    planned_release_on = forms.DateField(
        required=False,
        widget=DATE,
        label="Planned release date",
        help_text="Needed for a reentry case, which can open up to 90 days before it. "
        "If the person is already out, the date they were released.",
    )
    summary = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    safe_contact = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Safe contact (victim cases only)",
        help_text="How and where the victim can be reached safely. Victim-locating "
        "information: shown to victim advocates only.",
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(CaseKind.choices)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k, labels[k]) for k in kinds]
        navigator = self.fields["navigator"]
        assert isinstance(navigator, forms.ModelChoiceField)
        navigator.queryset = navigators()
        navigator.label_from_instance = _navigator_label  # type: ignore[method-assign,assignment]
        if CaseKind.VICTIM_SERVICES not in kinds:
            del self.fields["safe_contact"]


class NeedForm(UswdsForm):
    status = forms.ChoiceField(choices=NeedStatus.choices)
    priority = forms.ChoiceField(choices=Priority.choices)
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def need_forms(case: Case, data: Any = None) -> list[tuple[Any, NeedForm]]:
    """One form per need of the case, prefixed by its area."""
    return [
        (
            need,
            NeedForm(
                data,
                prefix=need.area,
                initial={"status": need.status, "priority": need.priority, "notes": need.notes},
            ),
        )
        for need in case.needs.all()
    ]


class GoalForm(UswdsForm):
    description = forms.CharField(max_length=300, label="Goal")
    need = forms.ModelChoiceField(
        queryset=Need.objects.none(),
        required=False,
        label="Need it answers",
        empty_label="None in particular",
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        need = self.fields["need"]
        assert isinstance(need, forms.ModelChoiceField)
        need.queryset = case.needs.all()


class TaskForm(UswdsForm):
    goal = forms.ModelChoiceField(queryset=Goal.objects.none(), label="Goal")
    description = forms.CharField(max_length=300, label="What is to be done")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label="Who does it")
    due_on = forms.DateField(widget=DATE, label="Due")

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal = self.fields["goal"]
        assert isinstance(goal, forms.ModelChoiceField)
        goal.queryset = case.goals.filter(status=Goal.Status.OPEN)
        open_goals = list(goal.queryset[:2])
        if len(open_goals) == 1:  # the only goal a task can serve is the one offered
            goal.initial = open_goals[0].pk
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = (
            User.objects.filter(is_active=True).exclude(role_id="partner_user").order_by("username")
        )


class MilestoneForm(UswdsForm):
    kind = forms.ChoiceField(choices=MilestoneKind.choices, label="Milestone")
    reached_on = forms.DateField(widget=DATE, label="Reached on")
    note = forms.CharField(max_length=300, required=False)


class ContactForm(UswdsForm):
    occurred_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        label="When",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    method = forms.ChoiceField(choices=Contact.Method.choices, label="How")
    outcome = forms.ChoiceField(choices=Contact.Outcome.choices)
    note = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanReferralForm(UswdsForm):
    service = forms.ModelChoiceField(queryset=Service.objects.none())
    need = forms.ModelChoiceField(
        queryset=Need.objects.none(),
        required=False,
        label="For the need",
        empty_label="None in particular",
    )
    goal = forms.ModelChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        label="For the goal",
        empty_label="None in particular",
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why you are referring (shared with the organisation)",
        help_text="Shared only when the person's consent covers general information.",
    )
    draft = forms.BooleanField(
        required=False,
        label="Save as a draft (send later)",
        help_text="A referral is sent only with the person's consent in force naming the "
        "organisation.",
    )
    field_order = ["service", "need", "goal", "note", "draft"]

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The referrals app's own list of services that take referrals, labelled its way.
        self.fields["service"] = ReferralStartForm().fields["service"]
        for name, queryset in (("need", case.needs.all()), ("goal", case.goals.all())):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


class ReleaseForm(UswdsForm):
    released_on = forms.DateField(widget=DATE, label="Released on")


class SafeContactForm(UswdsForm):
    safe_contact = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Safe contact",
        help_text="How and where the victim can be reached safely (advocates only).",
    )


class CloseForm(UswdsForm):
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Why the case closes"
    )


class ReportForm(UswdsForm):
    since = forms.DateField(required=False, widget=DATE, label="Cases open from")
    until = forms.DateField(required=False, widget=DATE, label="Until")
    kind = forms.ChoiceField(choices=[("", "Every kind"), *CaseKind.choices], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end of the period is before its start.")
        return data


def person_from_number(number: int) -> Person | None:
    return Person.objects.filter(pk=number).first()
