"""The artisan's money pages under /workshop: earnings dashboard, statement (page, CSV,
printable month) and payout details. Covered by the back-office guard like every /workshop
page; the lead will fold them into the workshop blueprint."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.artisans.models import Artisan
from shop.core.spreadsheet import csv_text
from shop.core.time import utcnow
from shop.core.views import perform
from shop.extensions import db
from shop.payouts import ledger, reports, rules
from shop.payouts import services as payouts
from shop.payouts.forms import PayoutDetailsForm
from shop.payouts.models import Payout, PayoutAccount, PayoutMethod, PayoutStatus

bp = Blueprint("payouts", __name__)


def _own_artisan() -> Artisan:
    artisan = current_user.artisan
    if artisan is None:
        abort(404)
    return artisan


def _zone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


@bp.route("/workshop/earnings")
@login_required
def earnings():
    artisan = _own_artisan()
    zone, now = _zone(), utcnow()
    this_month = reports.month_of(now, zone)
    pending_transfers = db.session.scalars(
        payouts.payouts_of(artisan.id).where(Payout.status == PayoutStatus.PENDING)
    ).all()
    return render_template(
        "payouts/earnings.html",
        artisan=artisan,
        money=ledger.balances(artisan.id, now),
        months=[
            reports.sales_in(artisan.id, this_month, zone),
            reports.sales_in(artisan.id, reports.add_months(this_month, -1), zone),
        ],
        sessions=reports.upcoming_sessions(artisan.id, now=now),
        bars=reports.earnings_chart(artisan.id, zone, now=now),
        chart=(reports.CHART_WIDTH, reports.CHART_HEIGHT, reports.BAR_GAP),
        threshold=rules.PAYOUT_THRESHOLD_CENTS.get(),
        pending_transfers=pending_transfers,
        recent_payouts=db.session.scalars(payouts.payouts_of(artisan.id).limit(5)).all(),
    )


def _month_arg():
    """The ?month= filter: None for all entries; a malformed value is a 404."""
    raw = request.args.get("month")
    if not raw:
        return None
    month = reports.parse_month(raw)
    if month is None:
        abort(404)
    return month


@bp.route("/workshop/statement")
@login_required
def statement():
    artisan = _own_artisan()
    month = _month_arg()
    return render_template(
        "payouts/statement.html",
        artisan=artisan,
        statement=reports.statement(artisan.id, _zone(), month),
        months=reports.entry_months(artisan.id, _zone()),
    )


@bp.route("/workshop/statement/print")
@login_required
def printable_statement():
    artisan = _own_artisan()
    month = _month_arg() or reports.month_of(utcnow(), _zone())
    return render_template(
        "payouts/statement_print.html",
        artisan=artisan,
        statement=reports.statement(artisan.id, _zone(), month),
        account=db.session.get(PayoutAccount, artisan.id),
    )


def statement_csv(artisan: Artisan, statement: reports.Statement) -> str:
    """The statement as CSV: amounts in decimal units, text cells formula-safe."""
    header = [
        _("Date"),
        _("Type"),
        _("Order"),
        _("Item"),
        _("Payout reference"),
        _("Note"),
        _("Amount"),
        _("Currency"),
        _("Balance"),
    ]
    rows = []
    for line in statement.lines:
        entry = line.entry
        rows.append(
            [
                entry.created_at.date().isoformat(),
                entry.kind.label,
                line.order_reference or "",
                line.item or (_("shipping") if entry.group_id and not entry.line_id else ""),
                line.payout.reference if line.payout else "",
                entry.note,
                reports.decimal_amount(entry.amount_cents, entry.currency),
                entry.currency,
                reports.decimal_amount(line.balance, entry.currency),
            ]
        )
    return csv_text(header, rows)


@bp.route("/workshop/statement.csv")
@login_required
def statement_download():
    artisan = _own_artisan()
    month = _month_arg()
    body = statement_csv(artisan, reports.statement(artisan.id, _zone(), month))
    name = f"taller-statement-{month:%Y-%m}.csv" if month else "taller-statement.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/workshop/payout-details", methods=["GET", "POST"])
@login_required
def payout_details():
    artisan = _own_artisan()
    account = db.session.get(PayoutAccount, artisan.id)
    form = PayoutDetailsForm()
    if request.method == "GET" and account is not None and account.method:
        form.method.data = account.method.value
    if form.validate_on_submit():
        done = perform(
            lambda: payouts.update_payout_details(
                artisan.id, PayoutMethod(form.method.data), form.details.data or ""
            ),
            form=form,
            success=_("Your payout details are saved."),
        )
        if done:
            return redirect(url_for("payouts.earnings"))
    return render_template("payouts/details.html", form=form, account=account, artisan=artisan), (
        422 if form.errors else 200
    )
