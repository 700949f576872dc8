"""E-mail through an SMTP server (stdlib smtplib): pages platforms for emergency requests.

Configured by the `HAECHI_SMTP_*` settings; without a host, bootstrap uses no mailer at all.
Failures become `FetchFailed` (a HaechiError) so callers audit them without knowing smtplib.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from haechi.config import Settings
from haechi.domain.errors import FetchFailed
from haechi.services.ports_le import Mailer, NoMailer


@dataclass(frozen=True, slots=True)
class SmtpMailer:
    host: str
    port: int = 25
    sender: str = "haechi@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout_s: float = 10.0

    def send(self, *, to: Sequence[str], subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, ", ".join(to), subject
        message.set_content(body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as e:
            raise FetchFailed(f"could not send e-mail via {self.host}:{self.port}: {e}") from None


def mailer_from(settings: Settings) -> Mailer:
    """The configured SMTP mailer, or none (paging by e-mail off) without `HAECHI_SMTP_HOST`."""
    if not settings.smtp_host:
        return NoMailer()
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        timeout_s=settings.smtp_timeout_s,
    )
