from typing import Any

from django import forms

from jcihub.core.forms import usa_widgets

from .models import Expenditure


class ExpenditureForm(forms.ModelForm):
    class Meta:
        model = Expenditure
        fields = ["spent_on", "amount", "payee", "category", "description", "reference"]
        labels = {"spent_on": "Date spent", "amount": "Amount (US dollars)"}
        widgets = {"spent_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs["min"] = "0.01"
        usa_widgets(self)


class VoidForm(forms.Form):
    reason = forms.CharField(
        max_length=500, label="Why is this expenditure voided?", widget=forms.TextInput()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)
