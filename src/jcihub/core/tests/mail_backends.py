"""A mail backend for tests of `core.mail`'s callers: Django's local-memory backend, except
that the server refuses every message to UNREACHABLE (as a real SMTP server refuses a
mailbox), so a test can follow the real code path through a failure."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend

UNREACHABLE = "down@example.org"
PARTLY_DOWN = f"{__name__}.PartlyDownBackend"


class PartlyDownBackend(EmailBackend):
    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        if any(UNREACHABLE in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({UNREACHABLE: (550, b"mailbox unavailable")})
        return super().send_messages(messages)
