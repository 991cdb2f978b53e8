"""Command-line tasks: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from shop.auth.services import create_or_promote_admin
from shop.bookings.decisions import decide_sessions
from shop.bookings.services import send_reminders as send
from shop.catalog.search import reindex_all
from shop.core.errors import DomainError
from shop.core.trimcss import trim_css
from shop.demo import DEMO_LOGINS, seed
from shop.extensions import db
from shop.orders.lifecycle import expire_orders as expire
from shop.payments.refunds import refunds_by_status, resend_due
from shop.reviews.invitations import send_invitations
from shop.waitlist.services import expire_offers


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default=None, help="Display name for a new account.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Password (prompted when not given).",
)
@with_appcontext
def create_admin(email: str, name: str | None, password: str) -> None:
    """Make EMAIL an administrator, creating the account if needed."""
    try:
        user = create_or_promote_admin(email, password, name)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{user.email} is an administrator.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo data once (safe to run again) and print the demo log-ins."""
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("seed-demo is for development machines only.")
    created = seed()
    db.session.commit()
    click.echo("Demo data loaded." if created else "Demo data already present.")
    click.echo("Demo log-ins (development only):")
    for role, email, password in DEMO_LOGINS:
        click.echo(f"  {role:<10} {email}  /  {password}")


@click.command("reindex-search")
@with_appcontext
def reindex_search() -> None:
    """Rebuild the product search index (after a bulk import or a restore)."""
    count = reindex_all()
    db.session.commit()
    click.echo(f"Indexed {count} products.")


@click.command("expire-orders")
@with_appcontext
def expire_orders() -> None:
    """Cancel unpaid orders past their hold, pass on waitlist offers past theirs, and confirm
    or cancel class sessions by their minimum participants (run every minute)."""
    count = expire()
    db.session.commit()
    offers = expire_offers()
    db.session.commit()
    decided = decide_sessions()
    db.session.commit()
    click.echo(
        f"Expired {count} unpaid orders and {offers} waitlist offers; "
        f"confirmed {decided['confirmed']} and cancelled {decided['cancelled']} class sessions."
    )


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """E-mail attendees of class sessions starting in the next 24 hours (once per booking)."""
    count = send()
    db.session.commit()
    click.echo(f"Sent {count} reminders.")


@click.command("settle-refunds")
@with_appcontext
def settle_refunds() -> None:
    """Send again the refunds the gateway refused or never answered (run every minute)."""
    queued = resend_due()
    db.session.commit()  # they go to the gateway once this commits, one by one
    outcome = refunds_by_status(queued)
    click.echo(
        f"Sent {len(queued)} refunds again: {outcome['succeeded']} succeeded, "
        f"{outcome['failed']} failed, {outcome['pending']} still pending."
    )


@click.command("send-review-invitations")
@with_appcontext
def send_review_invitations() -> None:
    """Invite buyers to review what they received or attended, once per line (run daily)."""
    count = send_invitations()
    db.session.commit()
    click.echo(f"Sent {count} review invitations.")


commands = [
    create_admin,
    seed_demo,
    reindex_search,
    expire_orders,
    send_reminders,
    settle_refunds,
    send_review_invitations,
    trim_css,
]
