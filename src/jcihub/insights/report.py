"""The quarterly IPVI report the director hands to the City Council (PDF), and the
cohort table as CSV: both leave the department, so both are suppressed."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from jcihub.core.pdf import Document, stamp

from . import figures
from .ipvi_outcomes import Outcomes
from .survival import SUPPRESSION_NOTE

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        match = QUARTER.match(text.strip().upper())
        if not match:
            raise ValueError(f"{text!r} is not a quarter: write it as 2026-Q3.")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day: dt.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        if self.number == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.number + 1, 1) - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


CAVEATS = (
    SUPPRESSION_NOTE,
    "Programme cohorts are counted from a person's first delivered notification; baseline "
    "cohorts from the day of the incident, at the tier the ladder would have proposed. "
    "The baseline is not a control group: who is arrested and how police record domestic "
    "violence change over time, so a difference is a question for evaluation, not proof.",
    "Re-offence is a later domestic-violence incident in the police data in which the same "
    "person (any of their linked records) caused harm. Incidents never reported to police "
    "are not counted.",
    "A 6- or 12-month rate counts only people whose whole window lies inside the data; "
    "the time to re-offence treats the others as censored (Kaplan-Meier).",
    "The time to a charging decision is counted from each person's first re-offence after "
    "entering the programme to the prosecutor's decision on it (charged, declined, or "
    "referred back for further investigation; a decision still pending review does not "
    "count), as last corrected. The 30-day share counts only re-offences at least 30 days "
    "old, or already decided.",
)


def quarterly_pdf(outcomes: Outcomes, quarter: Quarter) -> Document:
    spending = figures.ipvi_spending(quarter.start, quarter.end)
    doc = Document(
        "Intimate Partner Violence Intervention: quarterly report",
        subtitle=(
            f"Department of Justice and Community Intervention, Kansas City, Missouri. "
            f"Quarter {quarter} ({quarter.start:%d %B %Y} to {quarter.end:%d %B %Y})."
        ),
        footer_note=f"IPVI quarterly report {quarter}. Small cells suppressed.",
    )
    doc.facts(
        [
            ("Programme start", f"{outcomes.programme_start:%d %B %Y}"),
            ("Baseline from", f"{outcomes.baseline_from:%d %B %Y}"),
            (
                "Police data to",
                f"{outcomes.data_end:%d %B %Y}" if outcomes.data_end else "no data imported",
            ),
            ("Prepared", stamp(timezone.localtime())),
        ]
    )
    doc.heading("Re-offence by tier: programme and baseline")
    doc.table(
        figures.HEADER[:2] + figures.HEADER[3:],
        [row.cells[:2] + row.cells[3:] for row in figures.tier_rows(outcomes, published=True)],
        widths=[1.1, 0.5, 0.7, 1.3, 1.3, 1.3, 1.3, 0.9, 1.2, 1.2],
        empty="No one has entered a cohort yet.",
    )
    doc.heading("Share still without a re-offence (Kaplan-Meier)")
    doc.table(
        ["Cohort", "Tier", "People", "30 days", "90 days", "182 days", "365 days"],
        figures.survival_rows(outcomes, published=True),
        empty="No one has entered a cohort yet.",
    )
    # By month for the programme only: the baseline's months, cut this fine, would be
    # nearly all suppressed; its figures by tier are above.
    doc.heading("Programme cohorts by month of entry")
    doc.table(
        figures.HEADER,
        [figures.cohort_row(c, published=True).cells for c in outcomes.cohorts if not c.baseline],
        widths=[1.1, 0.5, 0.8, 0.7, 1.3, 1.3, 1.3, 1.3, 0.9, 1.2, 1.2],
        empty="No one has entered a cohort yet.",
    )
    doc.heading("Time from re-offence to charging decision (the certainty of the consequence)")
    doc.paragraph(figures.BASELINE_CHARGING_NOTE)
    doc.table(
        figures.CHARGING_HEADER[:2] + figures.CHARGING_HEADER[3:],
        [
            row.cells[:2] + row.cells[3:]
            for row in figures.charging_tier_rows(outcomes, published=True)
        ],
        widths=[1.1, 0.5, 1.0, 1.8, 1.3, 1.8],
        empty="No one has entered a cohort yet.",
    )
    doc.table(
        figures.CHARGING_HEADER,
        [figures.charging_row(c, published=True).cells for c in outcomes.cohorts if not c.baseline],
        widths=[1.1, 0.5, 0.8, 1.0, 1.8, 1.3, 1.8],
        empty="No programme cohort yet.",
    )
    doc.heading("Spending against the authorisation")
    doc.facts(
        [
            ("Authorised (Ordinance 260299)", f"${spending.authorised:,.2f}"),
            ("Spent this quarter", f"${spending.spent_in_period:,.2f}"),
            ("Spent to the end of the quarter", f"${spending.spent:,.2f}"),
            ("Remaining", f"${spending.remaining:,.2f}"),
        ]
    )
    doc.table(
        ["Category", "Spent to date"],
        [(label, f"${amount:,.2f}") for label, amount in spending.by_category],
        empty="Nothing spent yet.",
    )
    doc.heading("Measured for the programme only")
    doc.paragraph(
        "Victim engagement and the time to a charging decision are counted for the "
        "programme cohorts only: the advocates' outreach and the record of the prosecutor's "
        "decisions began with the programme."
    )
    doc.heading("How to read these figures")
    for caveat in CAVEATS:
        doc.paragraph(caveat)
    return doc


# The cohort CSV: the re-offence figures, then the time to a charging decision.
CSV_HEADER = figures.HEADER + figures.CHARGING_HEADER[4:]


def cohort_csv_rows(outcomes: Outcomes) -> list[tuple[str, ...]]:
    return [
        figures.cohort_row(c, published=True).cells
        + figures.charging_row(c, published=True).cells[4:]
        for c in outcomes.cohorts
    ]
