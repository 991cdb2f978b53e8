"""A marketplace with known impact figures (every expected number is worked out by hand in
EXPECTED), seeded through the services as customers, artisans and admins would."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import update

from shop.core.time import utcnow
from shop.extensions import db
from shop.orders.models import Order
from shop.payments import refunds
from shop.payouts import services as payouts
from shop.payouts.models import EntryKind, LedgerEntry, PayoutMethod
from tests import factories

MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
PERIOD = (date(2025, 3, 1), date(2025, 5, 1))


def at(day: int, month: int) -> datetime:
    return datetime(2025, month, day, 15, 0, tzinfo=UTC)


def _paid(products, email, when, seats=()):
    order = factories.paid_order(products, seats=seats, email=email, name=email.split("@")[0])
    order.paid_at = when
    db.session.flush()
    return order


def seed() -> dict:
    """Four artisans (three in Quito, one in Cuenca), five customers, nine paid orders in
    March and April 2025, a refund, a payout; plus rows that must not count."""
    admin = factories.user(is_admin=True)
    ana = factories.artisan(
        shop_name="Barro de Ana", city="Quito", goals={("sdg", 8): "", ("gcm", 19): ""}
    )
    ana.first_name, ana.public_name_choice = "Ana", "first_name"
    bea = factories.artisan(city="Quito", goals={("sdg", 8): ""})
    cruz = factories.artisan(city=" quito ", goals={("sdg", 5): ""})
    dora = factories.artisan(city="Cuenca", goals={("sdg", 8): ""})
    for artisan in (ana, bea, dora):
        artisan.origin_country, artisan.show_origin = "VE", True
    cruz.origin_country, cruz.show_origin = "CO", False
    bowl = factories.product(artisan_workshop=ana, price_cents=2500, stock=20, goals=[("sdg", 8)])
    cup = factories.product(artisan_workshop=bea, price_cents=1000, stock=20, goals=[("sdg", 12)])
    rug = factories.product(artisan_workshop=cruz, price_cents=4000, stock=20, goals=[])
    vase = factories.product(artisan_workshop=dora, price_cents=2000, stock=20, goals=[])
    klass = factories.class_(
        artisan_workshop=ana, price_cents=3500, duration_minutes=120, goals=[("sdg", 4)]
    )
    session = factories.session(klass=klass)

    _paid([(bowl, 2)], "c1@example.com", at(10, 3))
    _paid([(bowl, 1), (cup, 1)], "c2@example.com", at(12, 3))
    _paid([(rug, 1)], "c3@example.com", at(20, 3))
    _paid([(vase, 1)], "C3@Example.com", at(25, 3))  # the same customer, another spelling
    _paid([(vase, 1)], "c4@example.com", at(5, 4))
    _paid([], "c5@example.com", at(8, 4), seats=[(session, 2, ("Eva", "Luz"))])
    refunded = _paid([(cup, 2)], "c1@example.com", at(9, 4))
    _paid([(vase, 1)], "c5@example.com", at(10, 4))
    refunds.refund(refunded, admin, 1000, line=refunded.lines[0], restock_quantity=1)
    # The class took place on 20 April (booked while it was ahead).
    session.starts_at = at(20, 4)

    payouts.record_manual_payout(
        payouts.ManualPayout(
            artisan_id=ana.id,
            amount_cents=5000,
            method=PayoutMethod.CASH,
            reference="R1",
            paid_on=utcnow().date(),
            over_available=True,
        ),
        actor_id=admin.id,
    )
    db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.kind == EntryKind.PAYOUT)
        .values(created_at=at(30, 4))
        .execution_options(synchronize_session=False)
    )

    # Not counted: an unpaid order, an order wholly refunded, an order paid after the period.
    factories.order([(rug, 1)], email="c2@example.com")
    whole = _paid([(cup, 1)], "c4@example.com", at(11, 4))
    refunds.refund(whole, admin, 1000, line=whole.lines[0], restock_quantity=1)
    _paid([(bowl, 1)], "c1@example.com", at(1, 6))
    db.session.flush()
    assert db.session.get(Order, whole.id).status == "refunded"
    return {"ana": ana, "bea": bea, "cruz": cruz, "dora": dora, "klass": klass, "bowl": bowl}


def figures(
    artisans=0,
    sales=0,
    earned=0,
    paid_out=0,
    products=0,
    seats=0,
    minutes=0,
    students=0,
) -> dict:
    return {
        "artisans_selling": artisans,
        "sales_cents": sales,
        "earned_cents": earned,
        "paid_out_cents": paid_out,
        "share_bps": round(earned * 10_000 / sales) if sales else None,
        "products_sold": products,
        "seats_filled": seats,
        "teaching_minutes": minutes,
        "students_taught": students,
        "suppressed": False,
    }


WITHHELD = dict.fromkeys(figures(), None) | {"suppressed": True}

# Commission is 10 %. Sales net of refunds: 5000 + 3500 + 4000 + 2000 (March),
# 2000 + 7000 + (2000 - 1000) + 2000 (April).
EXPECTED = {
    "total": figures(4, 26_500, 23_850, 5000, 9, 2, 120, 2),
    "months": {
        MARCH: figures(4, 14_500, 13_050, 0, 6),
        APRIL: figures(3, 12_000, 10_800, 5000, 3, 2, 120, 2),
    },
    # Quito: Ana, Bea and Cruz (" quito " is Quito); Cuenca has one artisan: "other".
    "cities": {
        ("EC", "quito"): figures(3, 20_500, 18_450, 5000, 6, 2, 120, 2),
        "other": figures(1, 6000, 5400, 0, 3),
    },
    # Cruz keeps her origin private and was bought by one customer: withheld, and with it
    # the only other cell, or the total would give it away.
    "origins": {"VE": WITHHELD, "not_shown": WITHHELD},
    # Ana's sales count under SDG 8 and GCM 19 (hers), her class's also under SDG 4; Bea's
    # cup under SDG 8 (hers) and SDG 12 (the cup's). SDG 4, 5 and 12 were bought by fewer
    # than three customers each: withheld.
    "goals": {
        ("sdg", 4): WITHHELD,
        ("sdg", 5): WITHHELD,
        ("sdg", 8): figures(3, 22_500, 20_250, 5000, 8, 2, 120, 2),
        ("sdg", 12): WITHHELD,
        ("gcm", 19): figures(1, 14_500, 13_050, 5000, 3, 2, 120, 2),
    },
}
