from typing import Any

from django import forms

from jcihub.core.forms import usa_widgets

from .models import Candidate, Tier


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Waiting for the coordinator"), *Candidate.Status.choices],
        required=False,
        label="Show",
    )
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.order_by("level"),
        required=False,
        empty_label="Any proposed tier",
        label="Proposed tier",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class DecisionForm(forms.Form):
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.order_by("level"), empty_label=None, label="Tier"
    )
    reason = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason",
        help_text="Required when you choose a tier other than the one proposed (for example "
        "pregnancy or children present, which police extracts do not record).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)
