"""The assessment form, generated from an instrument's definition: one question per item."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from jcihub.core.forms import usa_widgets

from .definitions import Definition

ITEM_PREFIX = "item_"


class AssessmentForm(forms.Form):
    administered_on = forms.DateField(
        label="Date of the screen",
        help_text="As YYYY-MM-DD.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, definition: Definition, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"administered_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.definition = definition
        for n, item in enumerate(definition.items, 1):
            self.fields[ITEM_PREFIX + item.id] = forms.ChoiceField(
                label=f"{n}. {item.text or item.label}",
                help_text=item.label if item.text else "",
                choices=item.choices(),
                widget=forms.RadioSelect,
                required=not item.allow_unanswered,
            )
        usa_widgets(self)
        for name in self.fields:
            if name.startswith(ITEM_PREFIX):
                self.fields[name].widget.attrs["class"] = "usa-radio__input"

    def clean_administered_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["administered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return day

    def answers(self) -> dict[str, str]:
        return {
            name.removeprefix(ITEM_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(ITEM_PREFIX) and value
        }

    def item_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(ITEM_PREFIX)]
