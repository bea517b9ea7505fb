"""The ranked list's filters, the offense-category and flag-rule forms, and the case
forms."""

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings

from jcihub.access import policy
from jcihub.access.policy import Cap
from jcihub.accounts.models import Team, User
from jcihub.core.forms import usa_widgets
from jcihub.places.models import Property

from . import districts
from .models import Agency, Category, FlagRule, TaskforceCase, Window

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
    district = forms.ChoiceField(
        required=False,
        label="Council district",
        help_text="Where the property's point is known.",
    )
    review = forms.ChoiceField(
        choices=[
            ("", "Under review or not"),
            ("no", "Not under review (no open case)"),
            ("yes", "Already under review (an open case)"),
        ],
        required=False,
        label="Under review",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if districts.available():
            district = self.fields["district"]
            assert isinstance(district, forms.ChoiceField)
            district.choices = [("", "Any district"), *districts.choices()]
        else:
            del self.fields["district"]
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


MAX_RULE_COUNT = 1000
MAX_HISTORY_FACTOR = 20


class FlagRuleForm(forms.Form):
    """A flag rule: a minimum count of a category's incidents in a window, and, if given,
    a factor over the property's own average for a window of that length over the year
    before. The service checks what needs the other rules (a name used twice)."""

    name = forms.CharField(max_length=120, help_text="As the ranked list will show it.")
    category = forms.ChoiceField(
        choices=[("", "Any incident"), *Category.choices],
        required=False,
        help_text="Which incidents count: one category, or every incident.",
    )
    window_days = forms.TypedChoiceField(
        choices=Window.choices, coerce=int, label="Window", help_text="The days counted."
    )
    min_count = forms.IntegerField(
        min_value=1,
        max_value=MAX_RULE_COUNT,
        label="At least this many incidents",
        help_text=f"In the window; from 1 to {MAX_RULE_COUNT}.",
    )
    history_factor = forms.IntegerField(
        min_value=2,
        max_value=MAX_HISTORY_FACTOR,
        required=False,
        label="And at least this many times the property's own average (optional)",
        help_text="Far above its own history: the count must also be this many times the "
        "property's average for a window of that length over the year before the window "
        f"(from 2 to {MAX_HISTORY_FACTOR}). Leave blank for the count alone.",
    )
    is_active = forms.BooleanField(
        required=False,
        initial=True,
        label="Active",
        help_text="Only active rules flag properties; untick to stop using the rule.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)

    @staticmethod
    def initial_for(rule: FlagRule) -> dict[str, Any]:
        return {name: getattr(rule, name) for name in FlagRuleForm.base_fields}


class OpenCaseForm(forms.Form):
    property = forms.CharField(
        max_length=12,
        label="Property record number",
        help_text="As on the property's page, for example L0000123.",
    )
    lead_agency = forms.ChoiceField(choices=[("", "- Select -"), *Agency.choices])
    members = forms.MultipleChoiceField(
        choices=Agency.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Member agencies",
        help_text="The other agencies taking part (the lead agency is always one).",
    )
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


def possible_owners() -> Any:
    """Who may be named as an item's owner: active users whose role works taskforce cases
    (the service checks that they act for the item's agency)."""
    roles = [r for r, caps in policy.ROLE_CAPABILITIES.items() if Cap.TASKFORCE_CASEWORK in caps]
    return User.objects.filter(is_active=True, role__in=roles).order_by("username")


class ActionItemForm(forms.Form):
    description = forms.CharField(max_length=300, label="What is to be done")
    owner_agency = forms.ChoiceField(choices=[("", "- Select -"), *Agency.choices], label="Agency")
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Person responsible",
        help_text="One person who acts for that agency (in its team), or a coordinator.",
    )
    due_on = forms.DateField(widget=DATE, label="Due")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = possible_owners()
        usa_widgets(self)


class CaseAgenciesForm(forms.Form):
    agencies = forms.MultipleChoiceField(
        choices=Agency.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Agencies to add",
        error_messages={"required": "Tick at least one agency to add."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class NoteForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False, label="Note"
    )
    attachment = forms.FileField(
        required=False,
        label="Attach a file (optional)",
        help_text="PDF, picture (PNG, JPEG, GIF), Word or Excel (.docx, .xlsx), text or CSV; "
        "at most {limit}. Programs and scripts are refused.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.TASKFORCE_ATTACHMENT_MAX_BYTES / (1024 * 1024)
        field = self.fields["attachment"]
        field.help_text = str(field.help_text).format(limit=f"{limit:g} MB")
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


class AgencyTeamForm(forms.Form):
    agency = forms.ChoiceField(choices=[("", "- Select -"), *Agency.choices])
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(disabled_on__isnull=True).order_by("name"),
        help_text="Its members (agency liaisons) will see and work this agency's cases and items.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class MeetingForm(forms.Form):
    held_on = forms.DateField(widget=DATE, label="Date")
    title = forms.CharField(max_length=200, required=False, initial="Taskforce meeting")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class AttendanceForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Attendee with an account",
        help_text="Or leave empty and type the name below.",
    )
    name = forms.CharField(max_length=160, required=False)
    agency = forms.ChoiceField(choices=[("", "- Select -"), *Agency.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.fields["user"]
        assert isinstance(user, forms.ModelChoiceField)
        user.queryset = possible_owners()
        usa_widgets(self)


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"Case {obj.pk}: {obj.property.full_line}"


class DecisionForm(forms.Form):
    case = CaseChoiceField(queryset=TaskforceCase.objects.none(), label="Case")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Decision"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = self.fields["case"]
        assert isinstance(case, forms.ModelChoiceField)
        case.queryset = TaskforceCase.objects.select_related("property").order_by("-id")
        usa_widgets(self)


class MeetingNotesForm(forms.Form):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        required=False,
        label="Minutes",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class ReportMonthForm(forms.Form):
    month = forms.RegexField(
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text="Year and month, for example 2024-06.",
        error_messages={"invalid": "Enter a month as YYYY-MM, for example 2024-06."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)

    def clean_month(self) -> dt.date:
        year, month = self.cleaned_data["month"].split("-")
        if not 2000 <= int(year) <= 2100:
            raise forms.ValidationError("Enter a year between 2000 and 2100.")
        return dt.date(int(year), int(month), 1)
