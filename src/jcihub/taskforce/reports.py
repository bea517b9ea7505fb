"""Taskforce documents: meeting minutes (PDF) and the monthly report (PDF and CSV)."""

from jcihub.core.pdf import Document, stamp

from .models import Meeting


def minutes_document(meeting: Meeting) -> Document:
    agenda = meeting.agenda or {}
    doc = Document(
        f"Minutes: {meeting.title}",
        subtitle=f"Multidisciplinary Public Safety Taskforce, {meeting.held_on:%d %B %Y}",
        footer_note=f"Taskforce meeting {meeting.pk}",
    )
    doc.heading("Attendance")
    doc.table(
        ["Name", "Agency"],
        [(a.name, a.get_agency_display()) for a in meeting.attendance.all()],
        widths=[1.2, 1],
        empty="No attendance recorded.",
    )
    doc.heading("Agenda")
    doc.paragraph(f"Built on {agenda.get('built_on', '')}.")
    doc.paragraph("Newly flagged properties (not under review)", bold=True)
    flags = agenda.get("new_flags", [])
    doc.table(
        ["Property", "Why flagged"],
        [(f["property"], "; ".join(f["reasons"])) for f in flags],
        widths=[1, 2],
    )
    hidden = agenda.get("new_flags_total", 0) - len(flags)
    if hidden > 0:
        doc.paragraph(f"And {hidden} more flagged properties (see the ranked list).")
    doc.paragraph("Open cases", bold=True)
    doc.table(
        ["Case", "Property", "Lead agency", "Open items", "Overdue"],
        [
            (c["case_id"], c["property"], c["lead_agency"], c["open_items"], c["overdue"])
            for c in agenda.get("open_cases", [])
        ],
        widths=[0.5, 2, 1.4, 0.7, 0.7],
    )
    doc.paragraph("Overdue action items", bold=True)
    doc.table(
        ["Case", "Action", "Owner", "Due", "Days overdue"],
        [
            (
                i["case_id"],
                i["description"],
                f"{i['agency']}: {i['owner']}" if i["owner"] else i["agency"],
                i["due_on"],
                i["days_overdue"],
            )
            for i in agenda.get("overdue_items", [])
        ],
        widths=[0.5, 2, 1.5, 0.8, 0.7],
    )
    doc.heading("Decisions")
    doc.table(
        ["Case", "Property", "Decision"],
        [
            (d.case_id, d.case.property.full_line, d.text)
            for d in meeting.decisions.select_related("case__property")
        ],
        widths=[0.5, 1.3, 3],
        empty="No decision recorded.",
    )
    doc.heading("Notes")
    doc.paragraph(meeting.notes or "None.")
    doc.paragraph(f"Recorded in JCI Hub; printed {stamp(meeting.created_at)}.", size=8)
    return doc
