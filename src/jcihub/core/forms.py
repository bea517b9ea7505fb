"""Form helpers shared by every app."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def attach_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's validation error on the form's fields, or on the form as a whole."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def usa_widgets(form: forms.BaseForm) -> None:
    """Give every widget its USWDS class, so forms need not repeat it field by field."""
    classes = {
        forms.CheckboxInput: "usa-checkbox__input",
        forms.Select: "usa-select",
        forms.SelectMultiple: "usa-select",
        forms.Textarea: "usa-textarea",
    }
    for field in form.fields.values():
        widget: Any = field.widget
        css = next((c for kind, c in classes.items() if isinstance(widget, kind)), "usa-input")
        widget.attrs.setdefault("class", css)


def clean_search_text(value: str, limit: int = 200) -> str:
    """Search-box text from a query string, which no form has checked: control characters
    (PostgreSQL refuses NUL) become spaces, runs of space one, at most `limit` characters."""
    printable = "".join(ch if ch.isprintable() else " " for ch in value)
    return " ".join(printable.split())[:limit]
