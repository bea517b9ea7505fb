"""Editing the tier ladder: the levels and the rules that propose them are configuration,
changed here by the coordinator or the director, each change audited with its reason."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from jcihub.access.guards import requires
from jcihub.access.policy import Cap
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.core.forms import usa_widgets

from .models import Tier


class TierForm(forms.ModelForm):
    reason = forms.CharField(
        max_length=500,
        label="Why this change?",
        help_text="Kept in the audit trail with the change (for example the taskforce "
        "meeting that agreed it).",
    )

    class Meta:
        model = Tier
        fields = [
            "level",
            "code",
            "name",
            "response",
            "min_prior_incidents",
            "on_serious_violence",
            "on_reoffence_after_tier",
        ]
        widgets = {"response": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Decided candidates name their tier by code: the code and level stay.
            for name in ("level", "code"):
                self.fields[name].disabled = True
        usa_widgets(self)


@requires(Cap.IPVI_CONFIGURE)
@require_http_methods(["GET", "POST"])
def tier_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    tier = get_object_or_404(Tier, pk=pk) if pk is not None else Tier()
    before = {name: getattr(tier, name) for name in TierForm.Meta.fields} if pk else {}
    form = TierForm(request.POST if request.method == "POST" else None, instance=tier)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            after = {name: getattr(saved, name) for name in TierForm.Meta.fields}
            changes = {
                name: {"old": before.get(name), "new": value}
                for name, value in after.items()
                if before.get(name) != value
            }
            record(
                request.user,
                AuditAction.UPDATE if pk else AuditAction.CREATE,
                saved,
                summary=f"IPVI tier {saved.code} {'changed' if pk else 'added to the ladder'}",
                changes=changes,
                reason=form.cleaned_data["reason"],
            )
        messages.success(
            request,
            f"Tier {saved.code} saved. The next rebuild of the queue proposes by the new "
            "rules; decided candidates keep their tier.",
        )
        return redirect("ipvi:tiers")
    return render(request, "ipvi/tier_form.html", {"form": form, "tier": tier})
