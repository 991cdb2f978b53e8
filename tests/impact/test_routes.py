"""The impact page, goal pages, the impact receipt, the artisan's impact line, the admins'
exports and the public JSON, on the seeded scenario (tests/impact/scenario.py)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from shop.api.openapi import openapi_document
from shop.artisans.models import Artisan
from tests import factories
from tests.api.test_api import Contract
from tests.artisans.test_artisans_routes import application_form
from tests.conftest import login, post_form
from tests.impact import scenario

EN = {"Accept-Language": "en"}
PERIOD = {"from": "2025-03", "to": "2025-04"}


@pytest.fixture
def seeded(app, db):
    with app.test_request_context():
        objects = scenario.seed()
        db.session.commit()
    return objects


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_impact_page_shows_every_breakdown_with_charts_and_tables(client, seeded):
    response = client.get("/impact", query_string=PERIOD, headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    words = text_of(html)
    assert "Reached artisans $238.50" in words
    assert "Share of each sale that reached the artisan 90.0%" in words
    assert "Paid out to artisans $50.00" in words
    assert "Products sold 9" in words and "Students taught 2" in words
    assert re.search(r"Mar 2025 \$130\.50 \$145\.00 90\.0% \$0\.00 4 6 0 0 0", words)
    assert re.search(r"Quito \$184\.50 \$205\.00 90\.0% \$50\.00 3 6 2 2 2", words)
    assert "Other cities $54.00" in words
    assert "Cuenca" not in words  # a city of one artisan is never named
    assert re.search(r"Venezuela withheld withheld", words)
    assert re.search(r"SDG 5 withheld", words) and "GCM 19 $130.50" in words
    # Four charts, each an image with a title and a description, and a table beside it.
    assert html.count('role="img"') == 4
    assert (
        len(re.findall(r'<svg[^>]*aria-labelledby="by-\w+-chart-title by-\w+-chart-desc"', html))
        == 4
    )
    assert html.count("<desc id=") == 4 and html.count("<caption") == 4
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    assert factories.ADDRESS not in html


def test_impact_page_in_spanish(client, seeded):
    words = text_of(client.get("/impact", query_string=PERIOD).get_data(as_text=True))
    assert "Nuestro impacto" in words
    assert "$238,50" in words and "ODS 8" in words and "PMM 19" in words


@pytest.mark.parametrize(
    "query",
    [{"from": "2025-13"}, {"from": "2025-05", "to": "2025-03"}, {"from": "\u00e9", "to": "x"}],
)
def test_a_bad_period_is_explained_and_the_default_shown(client, seeded, query):
    response = client.get("/impact", query_string=query, headers=EN)
    assert response.status_code == 200
    assert 'role="alert"' in response.get_data(as_text=True)
    assert "Showing the last 12 months instead." in response.get_data(as_text=True)


def test_all_time_includes_the_june_order(client, seeded):
    words = text_of(client.get("/impact?period=all", headers=EN).get_data(as_text=True))
    assert "All time" in words and "Jun 2025" in words


def test_goal_page_shows_its_figures_and_the_listings_behind_them(client, seeded):
    words = text_of(client.get("/goals/gcm/19", headers=EN).get_data(as_text=True))
    assert "Reached artisans $153.00" in words  # all time: $130.50 and the June bowl
    assert "Products sold 4" in words  # all time: the bowl bought in June too
    assert seeded["bowl"].title in words
    assert seeded["klass"].title not in words  # its only session is past: not listed


def test_goal_page_of_a_withheld_goal_shows_no_figure(client, seeded):
    words = text_of(client.get("/goals/sdg/5", headers=EN).get_data(as_text=True))
    assert "Reached artisans withheld" in words
    assert "$40.00" not in words and "$36.00" not in words


def test_receipt_on_the_order_page_and_in_the_paid_email(app, client, db, outbox):
    with app.test_request_context():
        ana = factories.artisan(city="Quito", goals={("sdg", 8): "", ("gcm", 19): ""})
        ana.public_name_choice, ana.first_name = "first_name", "Ana"
        beto = factories.artisan(city="Cuenca", goals={("sdg", 5): ""})
        bowl = factories.product(artisan_workshop=ana, price_cents=2500, goals=[])
        rug = factories.product(artisan_workshop=beto, price_cents=1000, goals=[("sdg", 12)])
        order = factories.order([(bowl, 1), (rug, 1)], email="buyer@example.com")
        order.locale = "en"
        pending_page = client.get(f"/orders/{order.access_token}", headers=EN)
        assert "Where your money goes" not in pending_page.get_data(as_text=True)
        factories.pay(order)
        db.session.commit()
        token = order.access_token
    words = text_of(client.get(f"/orders/{token}", headers=EN).get_data(as_text=True))
    assert "$22.50 of your $35.00 goes to Ana in Quito · SDG 8 · GCM 19" in words
    assert "$9.00 of your $35.00 goes to" in words and "in Cuenca · SDG 5 · SDG 12" in words
    mail = outbox.body(outbox.to("buyer@example.com")[0])
    assert "$22.50 of your $35.00 goes to Ana in Quito · SDG 8 · GCM 19" in mail


def test_artisan_chooses_to_show_an_impact_line(app, client, db, seeded):
    ana = seeded["ana"]
    html = client.get(f"/artisans/{ana.slug}", headers=EN).get_data(as_text=True)
    assert 'id="artisan-impact"' not in html
    artisan_client = app.test_client()
    login(artisan_client, ana.user.email)
    form = application_form(shop_name=ana.shop_name, slug=ana.slug, show_impact="y")
    form.pop("consent")
    assert post_form(artisan_client, "/workshop/profile", form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Artisan, ana.id).show_impact
    words = text_of(client.get(f"/artisans/{ana.slug}", headers=EN).get_data(as_text=True))
    # Bowls: 2 + 1 in March, 1 in June; the class of 2 students has ended.
    assert "4 pieces sold, 2 students taught" in words
    form.pop("show_impact")
    post_form(artisan_client, "/workshop/profile", form)
    html = client.get(f"/artisans/{ana.slug}", headers=EN).get_data(as_text=True)
    assert 'id="artisan-impact"' not in html


def test_workshop_profile_form_has_the_impact_checkbox(app, db, seeded):
    artisan_client = app.test_client()
    login(artisan_client, seeded["bea"].user.email)
    html = artisan_client.get("/workshop/profile").get_data(as_text=True)
    assert 'name="show_impact"' in html and 'type="checkbox"' in html


def test_admin_exports_csv_and_json_for_a_date_range(admin_client, seeded):
    query = {"from": "2025-03-01", "to": "2025-04-30"}
    page = admin_client.get("/admin/impact", query_string=query, headers=EN)
    assert page.status_code == 200 and "$238,50" in page.get_data(as_text=True)  # admin: es
    response = admin_client.get("/admin/impact/export.csv", query_string=query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "taller-impact-2025-03-01-2025-04-30.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, total = rows[0], rows[1]
    assert dict(zip(header, total, strict=True)) == {
        "breakdown": "total",
        "group": "",
        "artisans_selling": "4",
        "sales_cents": "265.00",
        "earned_cents": "238.50",
        "paid_out_cents": "50.00",
        "share_bps": "9000",
        "products_sold": "9",
        "seats_filled": "2",
        "teaching_minutes": "120",
        "students_taught": "2",
        "currency": "USD",
    }
    assert rows[4][:2] == ["city", "Quito, EC"] and rows[5][:2] == ["city", "other"]
    assert rows[6][2] == "withheld"  # an origin cell
    data = admin_client.get("/admin/impact/export.json", query_string=query).get_json()
    assert data["period"] == {"from": "2025-03-01", "to": "2025-04-30"}
    assert data["total"] == scenario.EXPECTED["total"]
    # Admins may choose single days; a day of one customer is still withheld.
    narrow = admin_client.get("/admin/impact/export.json?from=2025-03-10&to=2025-03-10")
    assert narrow.get_json()["total"]["suppressed"] is True


def test_admin_export_with_bad_dates_falls_back_without_error(admin_client, seeded):
    page = admin_client.get("/admin/impact?from=2025-02-30&to=x", headers=EN)
    assert page.status_code == 200 and 'role="alert"' in page.get_data(as_text=True)
    assert admin_client.get("/admin/impact/export.json?from=nope").status_code == 200


def test_public_json_validates_against_the_document_with_every_row_filled(client, seeded):
    contract = Contract(openapi_document())
    for query in ("?from=2025-03&to=2025-04", "?period=all"):
        response = client.get(f"/api/v1/impact{query}")
        assert response.status_code == 200
        body = response.get_json()
        assert all(body[k] for k in ("by_month", "by_city", "by_origin", "by_goal"))
        assert contract.errors("/impact", "get", "200", body) == []
    body = client.get("/api/v1/impact?from=2025-03&to=2025-04").get_json()
    assert body["total"] == scenario.EXPECTED["total"]
    assert {(g["kind"], g["number"]): g["suppressed"] for g in body["by_goal"]} == {
        ("sdg", 4): True,
        ("sdg", 5): True,
        ("sdg", 8): False,
        ("sdg", 12): True,
        ("gcm", 19): False,
    }
    assert [c["city"] for c in body["by_city"]] == ["Quito", None]


def test_nothing_is_shown_before_any_sale(client, db):
    words = text_of(client.get("/impact", headers=EN).get_data(as_text=True))
    assert "Nothing in this period yet." in words


def test_no_export_or_answer_carries_an_email_an_address_or_a_name(admin_client, client, seeded):
    bodies = [
        client.get("/api/v1/impact?period=all").get_data(as_text=True),
        admin_client.get("/admin/impact/export.csv").get_data(as_text=True),
        admin_client.get("/admin/impact/export.json?from=2025-01-01").get_data(as_text=True),
    ]
    for body in bodies:
        assert "@" not in body and factories.ADDRESS not in body
        assert seeded["ana"].shop_name not in body and "Cuenca" not in body


def test_the_impact_page_is_in_the_sitemap_and_the_footer(client, db):
    assert "http://localhost/impact" in client.get("/sitemap.xml").get_data(as_text=True)
    assert 'href="/impact"' in client.get("/").get_data(as_text=True)
