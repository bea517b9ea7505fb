"""Display helpers for templates: the labels behind stored codes.

Lists of codes (a person's races, a consent's categories) are stored as JSON, so Django's
`get_FOO_display` cannot label them; `labels` does, from the same TextChoices the forms use.
"""

from collections.abc import Iterable

from django import forms, template
from django.db.models import TextChoices

from jcihub.accounts.roles import RoleCode
from jcihub.core.sensitivity import Sensitivity
from jcihub.people.models import Race

register = template.Library()

CHOICES: dict[str, type[TextChoices]] = {
    "race": Race,
    "role": RoleCode,
    "sensitivity": Sensitivity,
}


def _label(choices: type[TextChoices], code: object) -> str:
    try:
        return str(choices(str(code)).label)
    except ValueError:
        return str(code)


@register.filter
def labels(codes: Iterable[object] | str | None, kind: str) -> str:
    """`{{ person.races|labels:"race" }}` → "Black or African American, White"."""
    if not codes:
        return ""
    choices = CHOICES[kind]
    if isinstance(codes, str):
        return _label(choices, codes)
    return ", ".join(_label(choices, code) for code in codes)


@register.filter
def fields_with_errors(form: forms.BaseForm) -> list[forms.BoundField]:
    """The form's visible fields that carry an error, in form order."""
    return [field for field in form.visible_fields() if field.errors]
