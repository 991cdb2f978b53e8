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
from shop.core.jobs import Periodic, run_scheduler, work
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


# The periodic work: each function does one cron command's job and commits. The commands
# below and the scheduler's jobs (run by `flask worker`) both call these, nothing else.


def run_expiry() -> str:
    """Expire unpaid orders and waitlist offers past their hold; decide class sessions."""
    count = expire()
    db.session.commit()
    offers = expire_offers()
    db.session.commit()
    decided = decide_sessions()
    db.session.commit()
    return (
        f"Expired {count} unpaid orders and {offers} waitlist offers; "
        f"confirmed {decided['confirmed']} and cancelled {decided['cancelled']} class sessions."
    )


def run_reminders() -> str:
    """Remind attendees of sessions in the next 24 hours (once per booking)."""
    count = send()
    db.session.commit()
    return f"Sent {count} reminders."


def run_refund_settlement() -> str:
    """Send again the refunds the gateway refused or never answered."""
    queued = resend_due()
    db.session.commit()  # they go to the gateway once this commits, one by one
    outcome = refunds_by_status(queued)
    return (
        f"Sent {len(queued)} refunds again: {outcome['succeeded']} succeeded, "
        f"{outcome['failed']} failed, {outcome['pending']} still pending."
    )


def run_review_invitations() -> str:
    """Invite buyers to review what they received or attended, once per line."""
    count = send_invitations()
    db.session.commit()
    return f"Sent {count} review invitations."


# What `flask scheduler` enqueues, and how often (seconds).
PERIODIC = [
    Periodic("expiry", "shop.cli.run_expiry", 60),
    Periodic("refunds", "shop.cli.run_refund_settlement", 60),
    Periodic("reminders", "shop.cli.run_reminders", 15 * 60),
    Periodic("review-invitations", "shop.cli.run_review_invitations", 60 * 60),
]


@click.command("expire-orders")
@with_appcontext
def expire_orders() -> None:
    """Cancel unpaid orders past their hold, pass on waitlist offers past theirs, and confirm
    or cancel class sessions by their minimum participants (run every minute)."""
    click.echo(run_expiry())


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """E-mail attendees of class sessions starting in the next 24 hours (once per booking)."""
    click.echo(run_reminders())


@click.command("settle-refunds")
@with_appcontext
def settle_refunds() -> None:
    """Send again the refunds the gateway refused or never answered (run every minute)."""
    click.echo(run_refund_settlement())


@click.command("send-review-invitations")
@with_appcontext
def send_review_invitations() -> None:
    """Invite buyers to review what they received or attended, once per line (run daily)."""
    click.echo(run_review_invitations())


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run background jobs from the Redis queue (needs REDIS_URL)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("flask worker needs REDIS_URL; without it jobs run inline.")
    work(current_app._get_current_object(), burst=burst)


@click.command("scheduler")
@click.option("--ticks", type=int, default=None, help="Stop after this many checks.")
@with_appcontext
def scheduler(ticks: int | None) -> None:
    """Enqueue the periodic jobs when due (expiry, refunds, reminders, review invitations);
    without REDIS_URL it runs them itself, replacing the cron lines."""
    run_scheduler(current_app._get_current_object(), PERIODIC, ticks=ticks)


commands = [
    create_admin,
    seed_demo,
    reindex_search,
    expire_orders,
    send_reminders,
    settle_refunds,
    send_review_invitations,
    worker,
    scheduler,
    trim_css,
]
