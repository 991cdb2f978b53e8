"""Admin pages of payouts (on the admin blueprint, so its admin-only guard covers them):
payouts due with CSV for the bank, an artisan's money and payouts, the platform settings."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.admin.routes import bp
from shop.artisans.models import Artisan
from shop.core.forms import PostForm
from shop.core.money import DEFAULT_CURRENCY
from shop.core.spreadsheet import csv_text
from shop.core.time import utcnow
from shop.core.views import commit, perform, unit_of_work
from shop.extensions import db
from shop.payments.gateways import get_gateway
from shop.payouts import ledger, reports, rules
from shop.payouts import services as payouts
from shop.payouts.forms import (
    AdjustmentForm,
    ManualPayoutForm,
    PlatformSettingsForm,
    TermsForm,
    TransferForm,
    percent_to_bps,
)
from shop.payouts.models import Payout, PayoutAccount, PayoutMethod, PayoutStatus


@bp.route("/payouts")
def payouts_due():
    threshold = rules.PAYOUT_THRESHOLD_CENTS.get()
    recent = db.session.scalars(
        db.select(Payout).order_by(Payout.created_at.desc(), Payout.id.desc()).limit(20)
    ).all()
    return render_template(
        "admin/payouts_due.html",
        due=payouts.payouts_due(threshold),
        threshold=threshold,
        recent=recent,
    )


@bp.route("/payouts/due.csv")
def payouts_due_csv():
    """The payouts due, for the bank: one row per artisan with their payout details."""
    rows = []
    for due in payouts.payouts_due(rules.PAYOUT_THRESHOLD_CENTS.get()):
        account = db.session.get(PayoutAccount, due.artisan.id)
        rows.append(
            [
                due.artisan.shop_name,
                due.artisan.user.name,
                due.artisan.user.email,
                account.method.label if account and account.method else "",
                account.details if account else "",
                reports.decimal_amount(due.available, DEFAULT_CURRENCY),
                DEFAULT_CURRENCY,
                due.waiting_since.date().isoformat() if due.waiting_since else "",
            ]
        )
    header = [
        _("Workshop"),
        _("Name"),
        _("E-mail"),
        _("Method"),
        _("Account details"),
        _("Available"),
        _("Currency"),
        _("Waiting since"),
    ]
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="taller-payouts-due.csv"'},
    )


def _artisan_page(artisan: Artisan, **forms):
    account = db.session.get(PayoutAccount, artisan.id)
    terms = forms.pop("terms", None) or TermsForm(
        formdata=None,
        commission=(
            Decimal(account.commission_bps) / 100
            if account and account.commission_bps is not None
            else None
        ),
        stripe_account=account.stripe_account if account else "",
    )
    manual = forms.pop("manual", None) or ManualPayoutForm(formdata=None, paid_on=utcnow().date())
    return render_template(
        "admin/payouts_artisan.html",
        artisan=artisan,
        account=account,
        money=ledger.balances(artisan.id),
        payouts=db.session.scalars(payouts.payouts_of(artisan.id).limit(50)).all(),
        statement=reports.statement(
            artisan.id,
            current_app.config["BABEL_DEFAULT_TIMEZONE"],
            reports.month_of(utcnow(), current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        ),
        manual=manual,
        transfer=forms.pop("transfer", None) or TransferForm(formdata=None),
        adjustment=forms.pop("adjustment", None) or AdjustmentForm(formdata=None),
        terms=terms,
        platform_rate=rules.COMMISSION_BPS.get(),
        stripe_ready=get_gateway().name == "stripe",
    ), (422 if any(f.errors for f in (manual, terms)) else 200)


@bp.route("/payouts/artisans/<int:artisan_id>")
def artisan_payouts(artisan_id: int):
    return _artisan_page(db.get_or_404(Artisan, artisan_id))


@bp.route("/payouts/artisans/<int:artisan_id>/manual", methods=["POST"])
def record_payout(artisan_id: int):
    artisan = db.get_or_404(Artisan, artisan_id)
    form = ManualPayoutForm()
    if form.validate_on_submit():
        manual = payouts.ManualPayout(
            artisan_id=artisan.id,
            amount_cents=form.amount.data,
            method=PayoutMethod(form.method.data),
            reference=form.reference.data or "",
            paid_on=form.paid_on.data,
            note=form.note.data or "",
            over_available=form.over_available.data,
        )
        done = perform(
            lambda: payouts.record_manual_payout(manual, current_user.id),
            form=form,
            success=_("Payout recorded; the artisan was e-mailed."),
        )
        if done:
            return redirect(url_for("admin.artisan_payouts", artisan_id=artisan.id))
    return _artisan_page(artisan, manual=form)


@bp.route("/payouts/artisans/<int:artisan_id>/transfer", methods=["POST"])
def send_transfer(artisan_id: int):
    artisan = db.get_or_404(Artisan, artisan_id)
    form = TransferForm()
    if not form.validate_on_submit():
        return _artisan_page(artisan, transfer=form)
    with unit_of_work(form) as work:  # the intent is committed before Stripe is called
        work.value = payouts.start_transfer(
            artisan.id, form.amount.data, current_user.id, form.over_available.data
        ).id
    if not work:
        return _artisan_page(artisan, transfer=form)
    _send(work.value)
    return redirect(url_for("admin.artisan_payouts", artisan_id=artisan.id))


@bp.route("/payouts/<int:payout_id>/retry", methods=["POST"])
def retry_transfer(payout_id: int):
    """Send a pending transfer again: the same idempotency key, so Stripe pays it once."""
    payout = db.get_or_404(Payout, payout_id)
    artisan_id = payout.artisan_id
    pending = payout.status == PayoutStatus.PENDING and payout.method == PayoutMethod.STRIPE
    if PostForm().validate_on_submit() and pending:
        _send(payout.id)
    return redirect(url_for("admin.artisan_payouts", artisan_id=artisan_id))


def _send(payout_id: int) -> None:
    """Call Stripe with no transaction open, then record what it said in a new one."""
    order = payouts.transfer_order(db.session.get(Payout, payout_id))
    commit()  # ends the read: nothing is held open while the gateway answers
    outcome = payouts.call_gateway(order)
    perform(lambda: payouts.record_transfer_outcome(payout_id, outcome))
    if outcome.ref:
        flash(_("Stripe made the transfer."), "success")
    elif outcome.refused:
        flash(_("Stripe refused the transfer: %(reason)s", reason=outcome.refused), "danger")
    else:
        flash(_("Stripe did not answer clearly; the transfer stays pending. Try again."), "warning")


@bp.route("/payouts/artisans/<int:artisan_id>/adjust", methods=["POST"])
def adjust_balance(artisan_id: int):
    artisan = db.get_or_404(Artisan, artisan_id)
    form = AdjustmentForm()
    if form.validate_on_submit():
        done = perform(
            lambda: payouts.add_adjustment(
                artisan.id, form.amount.data, form.note.data, current_user.id
            ),
            form=form,
            success=_("Adjustment recorded."),
        )
        if done:
            return redirect(url_for("admin.artisan_payouts", artisan_id=artisan.id))
    return _artisan_page(artisan, adjustment=form)


@bp.route("/payouts/artisans/<int:artisan_id>/terms", methods=["POST"])
def artisan_terms(artisan_id: int):
    artisan = db.get_or_404(Artisan, artisan_id)
    form = TermsForm()
    if form.validate_on_submit():
        done = perform(
            lambda: payouts.set_terms(
                artisan.id, percent_to_bps(form.commission.data), form.stripe_account.data or ""
            ),
            form=form,
            success=_("Saved."),
        )
        if done:
            return redirect(url_for("admin.artisan_payouts", artisan_id=artisan.id))
    return _artisan_page(artisan, terms=form)


@bp.route("/payouts/settings", methods=["GET", "POST"])
def payout_settings():
    form = PlatformSettingsForm(
        formdata=request.form if request.method == "POST" else None,
        commission=Decimal(rules.COMMISSION_BPS.get()) / 100,
        product_hold_days=rules.PRODUCT_HOLD_DAYS.get(),
        seat_hold_days=rules.SEAT_HOLD_DAYS.get(),
        threshold=rules.PAYOUT_THRESHOLD_CENTS.get(),
    )
    if form.validate_on_submit():

        def save() -> None:
            rules.COMMISSION_BPS.put(percent_to_bps(form.commission.data), "commission")
            rules.PRODUCT_HOLD_DAYS.put(form.product_hold_days.data, "product_hold_days")
            rules.SEAT_HOLD_DAYS.put(form.seat_hold_days.data, "seat_hold_days")
            rules.PAYOUT_THRESHOLD_CENTS.put(form.threshold.data, "threshold")

        if perform(save, form=form, success=_("Settings saved.")):
            return redirect(url_for("admin.payout_settings"))
    return render_template("admin/payout_settings.html", form=form), (422 if form.errors else 200)
