import base64
from typing import cast

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from jcihub.access.guards import SIGNED_IN, public, requires
from jcihub.access.policy import Cap
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.core.forms import attach_errors, clean_search_text

from . import services
from .forms import CodeForm, SignInForm, UserCreateForm, UserUpdateForm
from .models import User


class SignInView(LoginView):
    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = cast(User, self.request.user)
        record(user, AuditAction.LOGIN, user, summary="Signed in")
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        attempted = str(form.data.get("username", ""))[:150]
        record(None, AuditAction.LOGIN_FAILED, summary=f"Sign-in failed for {attempted!r}")
        return super().form_invalid(form)


sign_in = public(SignInView.as_view())


@require_POST
@requires(SIGNED_IN)
def sign_out(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    record(user, AuditAction.LOGOUT, user, summary="Signed out")
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("accounts:login")


@require_POST
@requires(SIGNED_IN)
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    services.sign_out_everywhere(request.user)  # type: ignore[arg-type]
    logout(request)
    messages.success(request, "You are signed out of every browser and device.")
    return redirect("accounts:login")


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    ok = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if ok else "/"


@requires(SIGNED_IN)
def mfa_verify(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = next(
            (
                d
                for d in TOTPDevice.objects.filter(user=request.user, confirmed=True)
                if d.verify_token(form.cleaned_data["code"])
            ),
            None,
        )
        if device is not None:
            otp_login(request, device)
            record(request.user, AuditAction.MFA, summary="Second factor verified")
            return redirect(_safe_next(request))
        record(request.user, AuditAction.LOGIN_FAILED, summary="Wrong second-factor code")
        form.add_error("code", "That code is not right. Codes change every 30 seconds.")
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _safe_next(request)})


@requires(SIGNED_IN)
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    device = services.pending_totp_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp_device(user, device, form.cleaned_data["code"]):
            otp_login(request, device)
            messages.success(request, "Your authenticator app is set up.")
            return redirect("accounts:me")
        form.add_error("code", "That code is not right. Check the app's clock and try again.")
    qr_svg = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request, "accounts/mfa_setup.html", {"form": form, "qr_svg": qr_svg, "secret": secret}
    )


@requires(SIGNED_IN)
def me(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/me.html",
        {
            "teams": user.teams.all(),
            "has_mfa": services.has_confirmed_device(user),
            "has_token": Token.objects.filter(user=user).exists(),
            "new_token": request.session.pop("new_api_token", None),
        },
    )


@require_POST
@requires(SIGNED_IN)
def api_token(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.POST.get("action") == "revoke":
        services.revoke_api_token(user)
        messages.success(request, "Your API token is revoked.")
    else:
        # Shown once, on the next page, and never again.
        request.session["new_api_token"] = services.issue_api_token(user).key
    return redirect("accounts:me")


@requires(Cap.ACCOUNTS_MANAGE)
def users(request: HttpRequest) -> HttpResponse:
    query = clean_search_text(request.GET.get("q", ""), limit=100)
    qs = User.objects.select_related("role").prefetch_related("teams").order_by("username")
    if query:
        qs = qs.filter(username__icontains=query) | qs.filter(last_name__icontains=query)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/users.html",
        {
            "page_obj": page,
            "query": query,
            "query_string": f"q={query}&" if query else "",
        },
    )


@requires(Cap.ACCOUNTS_MANAGE)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_user(
                request.user,
                username=data["username"],
                password=data["password"],
                role_code=data["role"].code,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                teams=data["teams"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"User {created.username} created.")
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "title": "New user"})


@requires(Cap.ACCOUNTS_MANAGE)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    initial = {
        "first_name": target.first_name,
        "last_name": target.last_name,
        "email": target.email,
        "role": target.role_id,
        "teams": target.teams.all(),
        "is_active": target.is_active,
    }
    form = UserUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_user(
                request.user,
                target,
                role_code=data["role"].code,
                is_active=data["is_active"],
                teams=data["teams"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"User {target.username} updated.")
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "title": f"Edit {target.username}", "target": target},
    )
