"""Notes and attachments: stored outside the static files, served only through the
policy-checked view, refused when they are programs or too big, every step audited."""

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.taskforce import services
from jcihub.taskforce.attachments import check_upload

from .helpers import place

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def coordinator():
    return user_with_role(R.TASKFORCE_COORDINATOR)


@pytest.fixture
def case(coordinator):
    return services.open_case(coordinator, place(), "police", "Repeated violence")


def test_a_pdf_is_stored_outside_static_under_a_random_name(coordinator, case) -> None:
    note = services.add_note(coordinator, case, "Inspection report", upload("report.pdf", PDF))
    path = note.attachment.path
    assert str(django_settings.TASKFORCE_ATTACHMENT_DIR) in path
    assert "report" not in note.attachment.name and str(django_settings.STATIC_ROOT) not in path
    assert note.attachment_name == "report.pdf" and note.attachment_type == "application/pdf"
    entry = AuditEntry.objects.get(object_type="taskforce.casenote")
    assert entry.changes["sha256"]["new"] == note.attachment_sha256


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "program or script"),
        ("report.pdf", b"MZ\x90\x00\x03\x00", "a Windows program"),
        ("photo.jpg", b"\x7fELF\x02\x01", "a Linux program"),
        ("notes.txt", b"#!/bin/sh\nrm -rf /\n", "a script"),
        ("report.pdf.exe", PDF, "program or script"),
        ("run.sh", b"echo hi\n", "program or script"),
        ("page.html", b"<html></html>", "only these kinds of file"),
        ("report.pdf", b"just text, not a pdf", "does not contain what a .pdf file holds"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_programs_and_wrong_files_are_refused_with_a_reason(name, content, message) -> None:
    with pytest.raises(ValidationError, match=message):
        check_upload(upload(name, content))


def test_an_oversized_file_is_refused_with_the_limit(settings) -> None:
    settings.TASKFORCE_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match=r"at most 1 KB"):
        check_upload(upload("big.pdf", PDF + b"0" * 2000))


def test_the_page_explains_a_refused_file_and_keeps_the_note(coordinator, case) -> None:
    client = Client()
    client.force_login(coordinator)
    response = client.post(
        reverse("taskforce:case", args=[case.pk]),
        {"action": "note", "note-text": "See attached", "note-attachment": upload("x.exe", b"MZ")},
    )
    text = response.content.decode()
    assert response.status_code == 200 and "program or script" in text and "See attached" in text
    assert not case.notes.exists()


def test_the_download_is_policy_checked_and_audited(coordinator, case) -> None:
    note = services.add_note(coordinator, case, "", upload("report.pdf", PDF))
    url = reverse("taskforce:note_attachment", args=[case.pk, note.pk])
    client = Client()
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="taskforce.casenote"
    ).exists()
    outsider = Client()
    outsider.force_login(user_with_role(R.AGENCY_LIAISON))  # of no agency
    assert outsider.get(url).status_code == 404
    analyst = Client()
    analyst.force_login(user_with_role(R.ANALYST))
    assert analyst.get(url).status_code == 403
