"""Histories an admin can read: order, workshop and moderation events as sentences in the
admin's language with money formatted. The stored codes stay as they are (parsed here); the
page shows each raw code in a tooltip."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from shop.artisans.models import ArtisanEvent, ArtisanStatus
from shop.auth.models import User
from shop.core.money import format_money_here
from shop.moderation.models import AuditEntry
from shop.orders.models import FulfilmentStatus, Order, OrderEvent, OrderLine
from shop.payments.models import Refund

MONEY = re.compile(r"(-?\d+) ([A-Z]{3})")


@dataclass(frozen=True)
class Sentence:
    """One event: when, the readable text, and the stored code for the tooltip."""

    when: datetime
    text: str
    code: str


def _money_in(text: str) -> str:
    """Stored details write money as "14250 USD": show it as money."""
    return MONEY.sub(lambda m: format_money_here(int(m.group(1)), m.group(2)), text)


def who(actor: User | None) -> str:
    """ "Ana (admin)", "Ana (artisan)", "Ana (customer)", or the system."""
    if actor is None:
        return _("the system")
    if actor.is_admin:
        role = _("admin")
    elif getattr(actor, "artisan", None) is not None:
        role = _("artisan")
    else:
        role = _("customer")
    return f"{actor.name} ({role})"


def _by(actor: User | None, text: str, why: str = "") -> str:
    sentence = _("%(what)s, by %(who)s", what=text, who=who(actor))
    return f"{sentence}: {why}" if why else sentence


def _line_label(line: OrderLine | None) -> str:
    return f"{line.quantity} × {line.title}" if line else ""  # noqa: RUF001


def _status_label(code: str | None) -> str:
    try:
        return str(ArtisanStatus(code).label) if code else ""
    except ValueError:
        return code or ""


def _order_text(event: OrderEvent, order: Order, refund: Refund | None, lines: dict) -> str:
    action, detail, actor = event.action, event.detail or "", event.actor
    money = lambda cents: format_money_here(cents, order.currency)  # noqa: E731
    if action == "placed":
        total = detail.removeprefix("total=")
        amount = money(int(total)) if total.isdigit() else ""
        text = _("Order placed for %(amount)s", amount=amount)
        return _by(actor, text) if actor else text
    if action == "paid":
        return _("Paid %(amount)s", amount=_money_in(detail))
    if action == "refund":
        cents, _sep, why = detail.partition(" ")
        amount = money(int(cents)) if cents.lstrip("-").isdigit() else detail
        line = refund.line if refund else None
        text = (
            _("Refund of %(amount)s on %(line)s", amount=amount, line=_line_label(line))
            if line
            else _("Refund of %(amount)s on the order", amount=amount)
        )
        return _by(actor, text, why)
    if action == "refund_retry":
        return _by(actor, _("Refund sent again"))
    if action == "released":
        return _by(actor, _("Hold ended; the items went back"), detail)
    if action == "cancelled":
        return _by(actor, _("Order cancelled"), detail)
    if action == "payment_failed":
        return _("Payment failed: %(why)s", why=detail)
    if action in ("payment_mismatch", "second_payment", "late_payment"):
        title = {
            "payment_mismatch": _("Payment amount does not match the order"),
            "second_payment": _("A second payment arrived"),
            "late_payment": _("A payment arrived late"),
        }[action]
        return f"{title}: {_money_in(detail)}"
    if action == "booking_cancelled":
        found = dict(part.split("=", 1) for part in detail.split() if "=" in part)
        line = lines.get(int(found["line"])) if found.get("line", "").isdigit() else None
        refund_cents = found.get("refund", "")
        amount = money(int(refund_cents)) if refund_cents.isdigit() else ""
        return _by(
            actor,
            _("Booking %(line)s cancelled, %(amount)s back", line=_line_label(line), amount=amount),
        )
    if action.startswith("fulfilment_"):
        try:
            status = str(FulfilmentStatus(action.removeprefix("fulfilment_")).label)
        except ValueError:
            status = action
        return _by(actor, _("Marked %(status)s", status=status), detail)
    return _by(actor, action.replace("_", " "), _money_in(detail))


def order_history(order: Order, events: list[OrderEvent], refunds: list[Refund]) -> list[Sentence]:
    """The order's events as sentences, newest first as given. Refund events pair with the
    order's refunds in the order both were written (one refund, one event, same call)."""
    by_id = sorted(refunds, key=lambda r: r.id)
    refund_events = sorted((e for e in events if e.action == "refund"), key=lambda e: e.id)
    paired = {e.id: r for e, r in zip(refund_events, by_id, strict=False)}
    lines = {line.id: line for line in order.lines}
    return [
        Sentence(
            e.created_at,
            _order_text(e, order, paired.get(e.id), lines),
            f"{e.action} {e.detail}".strip(),
        )
        for e in events
    ]


ARTISAN_ACTIONS = {
    "apply": lambda: _("Applied"),
    "resubmit": lambda: _("Sent the application again"),
    "approve": lambda: _("Approved"),
    "reject": lambda: _("Not approved"),
    "request_changes": lambda: _("Asked for changes"),
    "suspend": lambda: _("Suspended"),
    "reinstate": lambda: _("Reinstated"),
    "withdraw_consent": lambda: _("Withdrew consent to show the story"),
    "give_consent": lambda: _("Gave consent to show the story"),
    "verify_goal": lambda: _("Checked a goal statement"),
    "unverify_goal": lambda: _("Unchecked a goal statement"),
    "conversation_read": lambda: _("Read a conversation"),
}


def artisan_sentence(event: ArtisanEvent) -> Sentence:
    """A workshop event, with its move between states in words."""
    label = ARTISAN_ACTIONS.get(event.action)
    text = label() if label else event.action.replace("_", " ").capitalize()
    if event.from_status and event.to_status and event.from_status != event.to_status:
        text = _(
            "%(what)s (%(before)s → %(after)s)",
            what=text,
            before=_status_label(event.from_status),
            after=_status_label(event.to_status),
        )
    code = event.action
    if event.from_status:
        code += f" ({event.from_status} → {event.to_status})"
    return Sentence(event.created_at, _by(event.actor, text, event.reason or ""), code)


AUDIT_ACTIONS = {
    "listing_hidden": lambda label: _("Hid “%(name)s”", name=label),
    "listing_shown": lambda label: _("Showed “%(name)s” again", name=label),
    "user_suspended": lambda label: _("Suspended the account %(name)s", name=label),
    "user_reinstated": lambda label: _("Reinstated the account %(name)s", name=label),
    "admin_granted": lambda label: _("Made %(name)s an admin", name=label),
    "admin_removed": lambda label: _("Removed the admin rights of %(name)s", name=label),
    "settings_changed": lambda label: _("Changed the settings: %(name)s", name=label),
    "listing_report_dismissed": lambda label: _("Dismissed a report of “%(name)s”", name=label),
}


def audit_sentence(entry: AuditEntry) -> Sentence:
    """A moderation or settings entry of the audit log."""
    code = f"{entry.action} {entry.target_kind}:{entry.target_id}"
    if entry.action == "listing_reports_upheld" and entry.reason.isdigit():
        count = int(entry.reason)
        text = ngettext(
            "Closed %(num)d report of “%(name)s” by hiding it",
            "Closed %(num)d reports of “%(name)s” by hiding it",
            count,
            name=entry.target_label,
        )
        return Sentence(entry.created_at, _by(entry.actor, text), code)
    label = AUDIT_ACTIONS.get(entry.action)
    text = label(entry.target_label) if label else f"{entry.action} {entry.target_label}"
    return Sentence(entry.created_at, _by(entry.actor, text, entry.reason), code)
