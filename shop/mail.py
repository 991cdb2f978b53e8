"""E-mail: queued during a transaction, sent only after it commits.

Default backend writes .eml files to instance/outbox (and logs their path); with MAIL_SERVER set
it speaks SMTP. Messages are rendered in the recipient's language.
"""

from __future__ import annotations

import logging
import re
import secrets
import smtplib
from contextlib import ExitStack
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.orm import Session

from shop.core.jobs import enqueue
from shop.core.time import utcnow
from shop.extensions import db

log = logging.getLogger(__name__)

_PENDING = "taller_pending_mail"


@dataclass
class Attachment:
    """A file attached to an e-mail."""

    filename: str
    content: bytes
    mimetype: str


@dataclass
class Email:
    """A rendered message ready to send."""

    to: str
    subject: str
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    html: str | None = None  # the same words as simple, accessible HTML (multipart/alternative)


def render_email(
    to: str, template: str, locale: str | None = None, attachments=None, **context
) -> Email:
    """Render templates/email/<template>.txt; its first line is the subject."""
    with ExitStack() as stack:
        if not has_request_context():
            # CLI commands and jobs: links in the mail point at the public address.
            stack.enter_context(
                current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"])
            )
        language = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        stack.enter_context(force_locale(language))
        body = render_template(f"email/{template}.txt", **context)
        subject, _, text = body.lstrip().partition("\n")
        subject, text = subject.strip(), text.strip() + "\n"
        html = render_template(
            "email/layout.html",
            lang=language,
            subject=subject,
            paragraphs=html_paragraphs(text),
            home=current_app.config["PUBLIC_URL"],
            home_label=current_app.config["PUBLIC_URL"].split("://", 1)[-1].rstrip("/"),
        )
    return Email(
        to=to,
        subject=subject,
        text=text,
        attachments=list(attachments or []),
        html=html,
    )


_URL = re.compile(r"https?://[^\s<>]+")


def html_paragraphs(text: str) -> list[Markup]:
    """The plain text as HTML paragraphs: blank lines part them, line breaks stay, addresses
    become links (the link text is the address itself, so it reads the same aloud)."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in block.splitlines():
            parts, last = [], 0
            for found in _URL.finditer(line):
                parts.append(escape(line[last : found.start()]))
                link = Markup('<a href="{0}">{0}</a>')
                parts.append(link.format(found.group(0)))  # format() escapes the address
                last = found.end()
            parts.append(escape(line[last:]))
            lines.append(Markup("").join(parts))
        paragraphs.append(Markup("<br>\n").join(lines))
    return paragraphs


def queue_email(session: Session, email: Email) -> None:
    """Hold an e-mail until the session's transaction commits (dropped on rollback)."""
    session.info.setdefault(_PENDING, []).append(email)


def email_after_commit(
    to: str, template: str, locale: str | None = None, attachments=None, **context
) -> None:
    """Render templates/email/<template>.txt now (in the reader's language) and send it once
    the request's transaction commits: the one way features write to people."""
    queue_email(db.session, render_email(to, template, locale, attachments, **context))


def send_now(email: Email) -> None:
    """Send one message through the configured backend."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(email.text)
    if email.html:
        message.add_alternative(email.html, subtype="html")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        log.info("mail sent by SMTP to %s: %s", email.to, email.subject)
        return
    outbox = outbox_dir()
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
    path = outbox / name
    path.write_bytes(message.as_bytes())
    log.info("mail written to outbox: %s", path)


def outbox_dir() -> Path:
    """Folder where the outbox backend writes messages."""
    configured = current_app.config.get("MAIL_OUTBOX_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "outbox"


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for email in pending:
        try:
            # Inline by default; on the job queue with REDIS_URL. The id is this message's
            # own, so a retried job never sends it twice.
            enqueue(send_now, email, job_id=f"mail-{secrets.token_hex(16)}")
        except Exception:  # a lost mail must not undo a committed order
            log.exception("could not send mail to %s: %s", email.to, email.subject)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    if session.in_transaction():
        return  # only a savepoint rolled back; the outer transaction may still commit
    session.info.pop(_PENDING, None)
