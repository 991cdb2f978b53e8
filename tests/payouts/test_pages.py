"""The payouts pages: the artisan's dashboard, statement and details; the admins' payouts;
who may see what; bad input re-renders the form, never a 500."""

from __future__ import annotations

import csv
import io

import pytest

from shop.core.time import utcnow
from shop.orders import lifecycle
from shop.orders.models import FulfilmentStatus
from shop.payouts import rules
from shop.payouts import services as payouts
from shop.payouts.models import Payout, PayoutAccount
from tests import factories
from tests.conftest import login, post_form
from tests.payouts.helpers import balances


@pytest.fixture
def sold(db, app):
    """A potter with one completed order (18.00 at 10 %) and a scheduled class session."""
    potter = factories.artisan(shop_name="=Barro Vivo")
    mug = factories.product(artisan_workshop=potter, price_cents=1800, title="Taza")
    session = factories.session(klass=factories.class_(artisan_workshop=potter, title="Torno"))
    with app.test_request_context():
        order = factories.paid_order([(mug, 1)])
        lifecycle.set_fulfilment(order.groups[0], potter.user, FulfilmentStatus.COMPLETED)
    db.session.commit()
    return potter, order, session


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_dashboard_shows_balances_sales_sessions_and_chart(client, sold):
    potter, _, session = sold
    login(client, potter.user.email)
    page = client.get("/workshop/earnings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="balance-available">$16,20<' in html
    assert 'id="balance-pending">$0,00<' in html
    assert "<svg" in html and 'class="chart-bar"' in html
    assert session.class_.title in html
    assert "<script" not in html.split("<svg")[1].split("</svg>")[0]


def test_statement_lists_entries_and_downloads_a_formula_safe_csv(client, db, sold, admin):
    potter, order, _ = sold
    payouts.add_adjustment(potter.id, 100, '=HYPERLINK("http://evil")', admin.id)
    db.session.commit()
    login(client, potter.user.email)
    html = client.get("/workshop/statement").get_data(as_text=True)
    assert order.reference in html and "Taza" in html
    month = f"{utcnow():%Y-%m}"
    assert client.get(f"/workshop/statement?month={month}").status_code == 200
    rows = _csv(client.get(f"/workshop/statement.csv?month={month}"))
    assert [row[2] for row in rows[1:3]] == [order.reference, order.reference]
    assert [row[6] for row in rows[1:]] == ["18.00", "-1.80", "1.00"]
    assert rows[-1][5] == '\'=HYPERLINK("http://evil")'
    assert rows[-1][8] == "17.20"
    printable = client.get(f"/workshop/statement/print?month={month}")
    assert printable.status_code == 200 and "print.css" in printable.get_data(as_text=True)


@pytest.mark.parametrize("month", ["2026-13", "abc", "1999-01", "2026-1"])
def test_a_malformed_month_is_a_404(client, sold, month):
    login(client, sold[0].user.email)
    assert client.get(f"/workshop/statement?month={month}").status_code == 404
    assert client.get(f"/workshop/statement.csv?month={month}").status_code == 404


def test_payout_details_are_masked_for_the_artisan_and_whole_for_admins(app, db, sold, admin):
    potter = sold[0]
    artisan_client = app.test_client()
    login(artisan_client, potter.user.email)
    refused = post_form(artisan_client, "/workshop/payout-details", {"method": "bank_transfer"})
    assert refused.status_code == 422
    saved = post_form(
        artisan_client,
        "/workshop/payout-details",
        {"method": "bank_transfer", "details": "Banco Pichincha ahorros 2201234567"},
    )
    assert saved.status_code == 302
    page = artisan_client.get("/workshop/payout-details").get_data(as_text=True)
    assert "2201234567" not in page and "4567" in page
    admin_client = app.test_client()
    login(admin_client, admin.email)
    admin_page = admin_client.get(f"/admin/payouts/artisans/{potter.id}").get_data(as_text=True)
    assert "Banco Pichincha ahorros 2201234567" in admin_page


def test_only_the_artisan_and_admins_reach_the_money_pages(app, db, sold, customer):
    potter = sold[0]
    other = factories.artisan()
    db.session.commit()
    anonymous = app.test_client()
    assert anonymous.get("/workshop/earnings").status_code == 302
    shopper = app.test_client()
    login(shopper, customer.email)
    for path in ("/workshop/earnings", "/workshop/statement", "/workshop/statement.csv"):
        # The workshop's guard: no workshop, so the application form (nothing of anyone's).
        assert shopper.get(path).headers["Location"] == "/workshop/apply"
    rival = app.test_client()
    login(rival, other.user.email)
    assert "$16,20" not in rival.get("/workshop/earnings").get_data(as_text=True)
    for path in (
        "/admin/payouts",
        "/admin/payouts/due.csv",
        f"/admin/payouts/artisans/{potter.id}",
        "/admin/payouts/settings",
    ):
        assert rival.get(path).status_code == 403
    assert post_form(rival, f"/admin/payouts/artisans/{potter.id}/manual", {}).status_code == 403


def test_admin_records_a_manual_payout_and_the_artisan_is_told(admin_client, db, sold, outbox):
    potter = sold[0]
    path = f"/admin/payouts/artisans/{potter.id}/manual"
    form = {"amount": "20.00", "method": "bank_transfer", "reference": "TRX-77"}
    form["paid_on"] = f"{utcnow():%Y-%m-%d}"
    too_much = post_form(admin_client, path, form)
    assert too_much.status_code == 422
    assert "$16,20" in too_much.get_data(as_text=True)
    assert post_form(admin_client, path, {**form, "amount": "abc"}).status_code == 422
    assert post_form(admin_client, path, {**form, "paid_on": "2999-01-01"}).status_code == 422
    assert post_form(admin_client, path, {**form, "amount": "16.20"}).status_code == 302
    db.session.expire_all()
    assert balances(potter.id).available == 0
    [payout] = db.session.scalars(db.select(Payout)).all()
    assert (payout.amount_cents, payout.reference, payout.status) == (1620, "TRX-77", "paid")
    [mail] = outbox.to(potter.user.email)[-1:]
    assert "16,20" in outbox.body(mail) and "TRX-77" in outbox.body(mail)


def test_payouts_due_csv_is_formula_safe(admin_client, db, sold):
    assert _csv(admin_client.get("/admin/payouts/due.csv"))[1:] == []  # under 20.00
    rules.PAYOUT_THRESHOLD_CENTS.put(1000)
    db.session.commit()
    rows = _csv(admin_client.get("/admin/payouts/due.csv"))
    assert rows[1][0] == "'=Barro Vivo" and rows[1][5] == "16.20"
    page = admin_client.get("/admin/payouts").get_data(as_text=True)
    assert "=Barro Vivo" in page


def test_admin_sets_rates_and_settings_with_validation(admin_client, db, sold):
    potter = sold[0]
    terms = f"/admin/payouts/artisans/{potter.id}/terms"
    assert post_form(admin_client, terms, {"commission": "150"}).status_code == 422
    assert post_form(admin_client, terms, {"stripe_account": "bank 123"}).status_code == 422
    ok = post_form(admin_client, terms, {"commission": "5", "stripe_account": "acct_1Potter"})
    assert ok.status_code == 302
    db.session.expire_all()
    account = db.session.get(PayoutAccount, potter.id)
    assert (account.commission_bps, account.stripe_account) == (500, "acct_1Potter")
    settings = {"commission": "12.5", "product_hold_days": "3", "seat_hold_days": "1"}
    settings["threshold"] = "50"
    assert post_form(admin_client, "/admin/payouts/settings", settings).status_code == 302
    assert rules.COMMISSION_BPS.get() == 1250 and rules.PAYOUT_THRESHOLD_CENTS.get() == 5000
    bad = post_form(admin_client, "/admin/payouts/settings", {**settings, "seat_hold_days": "-1"})
    assert bad.status_code == 422
    assert rules.SEAT_HOLD_DAYS.get() == 1
