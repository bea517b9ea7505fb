from typing import Any

from django import forms

from jcihub.core.forms import usa_widgets

from .models import AuditAction
from .selectors import AuditFilter


class AuditFilterForm(forms.Form):
    actor = forms.CharField(max_length=150, required=False, label="Username")
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    person = forms.RegexField(
        regex=r"^[Pp]?\d{1,12}$",
        required=False,
        label="Person record",
        error_messages={"invalid": "Enter a record number such as P0000123."},
    )
    text = forms.CharField(max_length=100, required=False, label="Summary or reason contains")
    since = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From"
    )
    until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)

    def to_filter(self) -> AuditFilter:
        if not self.is_valid():
            return AuditFilter(person_id=-1)  # an invalid filter shows nothing, not everything
        data = self.cleaned_data
        person = data.get("person") or ""
        return AuditFilter(
            actor=data.get("actor", ""),
            action=data.get("action", ""),
            person_id=int(person.upper().lstrip("P")) if person else None,
            text=data.get("text", ""),
            since=data.get("since"),
            until=data.get("until"),
        )
