from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import Role, Team


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(
            attrs={"class": "usa-input", "autocomplete": "username", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(
            attrs={"class": "usa-input", "autocomplete": "current-password"}
        ),
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="6-digit code from your authenticator app",
        regex=r"^\d{6}$",
        error_messages={"invalid": "Enter the 6 digits your authenticator app shows."},
        widget=forms.TextInput(
            attrs={
                "class": "usa-input usa-input--small",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
            }
        ),
    )


class _UserFieldsForm(forms.Form):
    first_name = forms.CharField(
        max_length=150, required=False, widget=forms.TextInput(attrs={"class": "usa-input"})
    )
    last_name = forms.CharField(
        max_length=150, required=False, widget=forms.TextInput(attrs={"class": "usa-input"})
    )
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"class": "usa-input"}))
    role = forms.ModelChoiceField(
        queryset=Role.objects.filter(disabled_on__isnull=True),
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.filter(disabled_on__isnull=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "usa-select", "size": 6}),
        help_text="Programme teams, partner organisations or agencies (hold Ctrl to pick several).",
    )


class UserCreateForm(_UserFieldsForm):
    username = forms.RegexField(
        regex=r"^[a-z0-9._-]{3,150}$",
        max_length=150,
        help_text="Lower-case letters, digits, dots, hyphens.",
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )
    password = forms.CharField(
        min_length=12,
        strip=False,
        help_text="At least 12 characters; the user should change it.",
        widget=forms.PasswordInput(attrs={"class": "usa-input", "autocomplete": "new-password"}),
    )
    field_order = ["username", "password", "first_name", "last_name", "email", "role", "teams"]


class UserUpdateForm(_UserFieldsForm):
    is_active = forms.BooleanField(
        required=False,
        label="Account is active",
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )
