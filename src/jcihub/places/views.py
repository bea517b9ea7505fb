"""Places pages: thin — parse input, ask the policy, call a service or selector, render."""

import csv
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from jcihub.access import policy
from jcihub.access.guards import requires
from jcihub.access.policy import Cap
from jcihub.core.forms import attach_errors

from . import selectors, services
from .forms import (
    ChooseProperty,
    ParcelForm,
    ParcelImportForm,
    PropertySearchForm,
    RawAddressSearchForm,
    TypeAddress,
)
from .models import Parcel, Property, RawAddress

PAGE_SIZE = 25
CANDIDATES = 10


def _query_string(params: QueryDict) -> str:
    """The query string for pagination links: the search, without the page."""
    params = params.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _valid(form: forms.Form) -> dict[str, Any]:
    return form.cleaned_data if form.is_bound and form.is_valid() else {}


@requires(Cap.PLACES_VIEW)
@require_GET
def property_list(request: HttpRequest) -> HttpResponse:
    form = PropertySearchForm(request.GET or None)
    data = _valid(form)
    found = (
        Property.objects.none()
        if form.errors
        else selectors.search_properties(
            data.get("q", ""), data.get("zip_code", ""), data.get("kind", "")
        )
    )
    return render(
        request,
        "places/list.html",
        {
            "form": form,
            "page_obj": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "query_string": _query_string(request.GET),
            "can_manage": policy.has_capability(request.user, Cap.PLACES_MANAGE),
        },
    )


@requires(Cap.PLACES_VIEW)
@require_GET
def property_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Property, pk=pk)
    raw_forms = selectors.raw_forms(place)
    return render(
        request,
        "places/detail.html",
        {
            "place": place,
            "raw_forms": raw_forms[: selectors.RAW_FORMS_SHOWN],
            "raw_count": raw_forms.count(),
            "sections": selectors.property_sections(request.user, place),
            "can_manage": policy.has_capability(request.user, Cap.PLACES_MANAGE),
            "parcel": Parcel.objects.filter(property=place).select_related("updated_by").first(),
            "can_edit_parcel": policy.has_capability(request.user, Cap.PLACES_PARCELS),
        },
    )


@requires(Cap.PLACES_VIEW)
@require_GET
def address_list(request: HttpRequest) -> HttpResponse:
    form = RawAddressSearchForm(request.GET or None)
    data = _valid(form)
    found = (
        RawAddress.objects.none()
        if form.errors
        else selectors.search_raw_addresses(
            data.get("q", ""), data.get("source", ""), data.get("corrected", False)
        )
    )
    return render(
        request,
        "places/addresses.html",
        {
            "form": form,
            "page_obj": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "query_string": _query_string(request.GET),
            "can_manage": policy.has_capability(request.user, Cap.PLACES_MANAGE),
        },
    )


def _correction_forms(
    request: HttpRequest,
) -> tuple[ChooseProperty, TypeAddress, ChooseProperty | TypeAddress | None]:
    """Both forms of the page, and the one that was sent (None when nothing was)."""
    data = request.POST if request.method == "POST" else None
    typing = data is not None and data.get("how") == "type"
    choose = ChooseProperty(None if typing else data, prefix="choose")
    typed = TypeAddress(data if typing else None, prefix="type")
    return choose, typed, (None if data is None else typed if typing else choose)


def _target(sent: ChooseProperty | TypeAddress) -> Property | services.CorrectedAddress | None:
    """What the sent form asks the address to map to; None if the form has errors."""
    if not sent.is_valid():
        return None
    if isinstance(sent, ChooseProperty):
        return sent.cleaned_data["property"]
    return services.CorrectedAddress(**sent.cleaned_data)


@requires(Cap.PLACES_MANAGE)
def correct_address(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-point one raw address (and every record that came with it) at another property."""
    raw = get_object_or_404(RawAddress.objects.select_related("property"), pk=pk)
    choose, typed, sent = _correction_forms(request)
    target = _target(sent) if sent is not None else None
    if sent is not None and target is not None:
        try:
            services.correct_mapping(request.user, raw, target)
        except ValidationError as error:
            attach_errors(sent, error)
        else:
            raw.refresh_from_db()
            messages.success(request, f"\u201c{raw}\u201d now maps to {raw.property}.")
            return redirect("places:detail", pk=raw.property_id)
    query = request.GET.get("q", raw.raw_line)
    candidates = selectors.search_properties(query)[:CANDIDATES] if query.strip() else []
    return render(
        request,
        "places/correct.html",
        {"raw": raw, "choose": choose, "typed": typed, "query": query, "candidates": candidates},
    )


@requires(Cap.PLACES_PARCELS)
def parcel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter or correct the property's owner and parcel of record."""
    place = get_object_or_404(Property, pk=pk)
    parcel = Parcel.objects.filter(property=place).first()
    initial = {name: getattr(parcel, name) for name in services.PARCEL_FIELDS} if parcel else {}
    form = ParcelForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            changed = services.record_parcel(request.user, place, form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Saved the parcel." if changed else "Nothing changed.")
            return redirect("places:detail", pk=place.pk)
    return render(request, "places/parcel_edit.html", {"place": place, "form": form})


def _csv_rows(upload: Any) -> list[dict[str, str]]:
    """The file's rows as dicts with lower-case column names; ValidationError if unreadable."""
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": "The file is not UTF-8 text; save it as CSV UTF-8."}
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    columns = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if not columns & {"property", "address"}:
        raise ValidationError({"file": "The header needs a property or an address column."})
    return [
        {(key or "").strip().lower(): (value or "") for key, value in row.items() if key}
        for row in reader
    ]


@requires(Cap.PLACES_PARCELS)
def parcel_import(request: HttpRequest) -> HttpResponse:
    """Import owners and parcels from an assessor's CSV; rejected rows listed with why."""
    form = ParcelImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    result = None
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_parcels(request.user, _csv_rows(upload), upload.name)
        except ValidationError as error:
            attach_errors(form, error)
    return render(
        request,
        "places/parcel_import.html",
        {"form": form, "result": result, "columns": services.PARCEL_COLUMNS},
    )
