"""Every impact figure of a seeded scenario, checked against numbers worked out by hand,
on each database the suite runs on; and the privacy rules."""

from __future__ import annotations

import pytest

from shop.impact.queries import MIN_CUSTOMERS, Cell, Figures, Period, impact_report, suppress
from tests import factories
from tests.impact import scenario

ZONE = "America/Guayaquil"


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def report(db, request_ctx):
    scenario.seed()
    db.session.commit()
    return impact_report(Period(*scenario.PERIOD), ZONE)


def test_totals(report):
    assert report.total.as_dict() == scenario.EXPECTED["total"]
    assert report.currency == "USD"


def test_by_month(report):
    assert {c.key: c.figures.as_dict() for c in report.by_month} == scenario.EXPECTED["months"]


def test_by_city_groups_small_cities_as_other(report):
    assert {c.key: c.figures.as_dict() for c in report.by_city} == scenario.EXPECTED["cities"]
    assert [c.label for c in report.by_city] == ["Quito", ""]


def test_by_origin_withholds_a_cell_of_one_customer_and_its_complement(report):
    assert {c.key: c.figures.as_dict() for c in report.by_origin} == scenario.EXPECTED["origins"]


def test_by_goal(report):
    assert {c.key: c.figures.as_dict() for c in report.by_goal} == scenario.EXPECTED["goals"]
    assert report.goal("gcm", 19).as_dict() == scenario.EXPECTED["goals"][("gcm", 19)]
    assert report.goal("sdg", 1).as_dict()["sales_cents"] == 0


def test_all_time_counts_the_order_after_the_period(report, db):
    everything = impact_report(Period(), ZONE)
    assert everything.total.sales_cents == scenario.EXPECTED["total"]["sales_cents"] + 2500
    assert everything.total.products_sold == scenario.EXPECTED["total"]["products_sold"] + 1


def test_a_period_with_one_customer_withholds_everything(db, request_ctx):
    item = factories.product(price_cents=1000)
    factories.paid_order([(item, 1)], email="solo@example.com")
    db.session.commit()
    report = impact_report(Period(), ZONE)
    assert report.total.suppressed
    assert report.total.as_dict()["sales_cents"] is None
    assert all(c.figures.suppressed for c in report.by_month + report.by_city + report.by_goal)


def _cell(key, *customers) -> Cell:
    cell = Cell(key)
    cell.figures.customers = set(customers)
    return cell


def test_complementary_suppression_hides_enough_that_the_total_reveals_nobody():
    total = Figures(customers={"a", "b", "c", "d", "e", "f", "g"})
    small, pair, big, bigger = (
        _cell("small", "a"),
        _cell("pair", "a", "b"),  # small and pair together are still two customers
        _cell("big", "c", "d", "e"),
        _cell("bigger", "d", "e", "f", "g"),
    )
    suppress(total, [small, pair, big, bigger])
    assert [c.figures.suppressed for c in (small, pair, big, bigger)] == [True, True, True, False]
    assert not total.suppressed
    assert MIN_CUSTOMERS == 3


def test_nothing_is_withheld_when_every_cell_has_enough_customers():
    total = Figures(customers={"a", "b", "c"})
    cells = [_cell("x", "a", "b", "c"), _cell("payouts only")]
    suppress(total, cells)
    assert not any(c.figures.suppressed for c in cells)
