"""The shared PDF builder: documents open, carry their text, and survive any input."""

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from jcihub.core.pdf import Document, latin1


def _text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_document_is_a_pdf_with_its_title_and_table() -> None:
    doc = Document("Minutes of the taskforce meeting", subtitle="2 December 2026")
    doc.heading("Decisions")
    doc.facts([("Chair", "Ana Núñez"), ("Place", "City Hall, 414 E 12th St")])
    doc.table(["Case", "Decision"], [["TF-1", "Board up the vacant unit"]])
    data = doc.bytes()
    assert data.startswith(b"%PDF-")
    text = _text_of(data)
    assert "Minutes of the taskforce meeting" in text
    assert "Ana Núñez" in text
    assert "Board up the vacant unit" in text
    assert "Page 1 of 1" in text


def test_spanish_text_keeps_its_accents() -> None:
    doc = Document("Aviso")
    doc.paragraph("¿Necesita ayuda? Llame a la línea de apoyo. ¡Estamos aquí!")
    assert "¿Necesita ayuda? Llame a la línea de apoyo. ¡Estamos aquí!" in _text_of(doc.bytes())


def test_a_long_table_repeats_across_pages() -> None:
    doc = Document("Report")
    doc.table(["n", "value"], [[str(i), "x" * 40] for i in range(200)])
    text = _text_of(doc.bytes())
    assert "199" in text
    assert "Page 2 of" in text


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=300))
def test_any_text_makes_a_document(text: str) -> None:
    doc = Document(text or "untitled")
    doc.paragraph(text)
    doc.table(["a"], [[text]])
    assert doc.bytes().startswith(b"%PDF-")
    assert set(latin1(text)) <= set(bytes(range(256)).decode("latin-1"))
