"""E-mails go as multipart: the plain text as written, and the same words as simple, accessible
HTML in the recipient's language, with the shop's name and a plain footer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from shop.mail import Attachment, render_email, send_now


@pytest.mark.parametrize(
    ("locale", "greeting", "footer"),
    [
        ("es", "Hola, Ana <b>", "Recibes este correo"),
        ("en", "Hello Ana <b>,", "You get this e-mail"),
    ],
)
def test_mail_is_text_plus_accessible_html_in_the_recipients_language(
    app, outbox, locale, greeting, footer
):
    user = SimpleNamespace(name="Ana <b>")
    with app.app_context():
        mail = render_email(
            "ana@example.com", "password_reset", locale=locale, user=user, token="t0k", minutes=30
        )
        send_now(mail)
    [message] = outbox.to("ana@example.com")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert text.startswith(greeting)  # the text part is the .txt, unchanged
    assert f'<html lang="{locale}">' in html
    assert f"<title>{message['Subject']}</title>" in html and "<h1" in html
    assert "Taller</a>" in html and footer in html
    assert "Ana &lt;b&gt;" in html and "Ana <b>" not in html  # every word escaped
    link = f"{app.config['PUBLIC_URL']}/auth/reset/t0k"
    assert f'<a href="{link}"' in html and f">{link}</a>" in html


def test_attachments_survive_next_to_the_two_bodies(app, outbox):
    user = SimpleNamespace(name="Ana")
    with app.app_context():
        mail = render_email(
            "ana@example.com",
            "password_reset",
            locale="es",
            attachments=[Attachment("a.ics", b"BEGIN:VCALENDAR", "text/calendar")],
            user=user,
            token="t",
            minutes=30,
        )
        send_now(mail)
    [message] = outbox.to("ana@example.com")
    assert message.get_body(preferencelist=("html",)) is not None
    assert [p.get_content_type() for p in message.iter_attachments()] == ["text/calendar"]
