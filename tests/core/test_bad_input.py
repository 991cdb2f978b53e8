"""Bad input never answers 500 (issue 11 items 9, 10, 12): NUL bytes, integers no column can
hold, ids that are not in the cart, control characters in form text. On both databases:
PostgreSQL refuses NUL in text and integers beyond 32 bits, SQLite beyond 64."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select

import shop
from shop.core.forms import BaseForm
from shop.core.inputs import DB_INT_MAX, MAX_PAGE, multi_line, parse_id, single_line
from shop.orders.models import CartItem, Order
from tests import factories
from tests.conftest import csrf_token, login, post_form
from tests.support.checkout import add, place

HUGE = "9" * 20


@pytest.fixture
def mug(db):
    product = factories.product(title="Taza", price_cents=1800, stock=3)
    db.session.commit()
    return product


# Item 9: NUL bytes


@pytest.mark.parametrize(
    "path",
    [
        "/products/taza%00",
        "/classes/ceramica%00",
        "/artisans/rosa%00",
        "/orders/tok%00en",
        "/orders/tok%00en/bookings/1.ics",
        "/waitlist/tok%00en",
        "/payments/demo/ref%00",
        "/payments/stripe/ref%00",
        "/api/v1/products/taza%00",
        "/api/v1/artisans/rosa%00",
        "/auth/reset/tok%00en",
        "/goals/sdg%00/8",
        "/media/x%00.jpg",
    ],
)
def test_nul_in_a_path_is_404(client, path):
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "query",
    [
        "/products?category=a%00",
        "/products?city=Quito%00",
        "/products?artisan=rosa%00",
        "/products?q=taza%00",
        "/products?goal=sdg-8%00",
        "/products?sort=%00",
        "/products?min_price=1%00",
        "/classes?city=Quito%00",
        "/classes?artisan=rosa%00",
        "/artisans?craft=Ceramics%00",
        "/artisans?city=Quito%00",
        "/artisans?ci%00ty=Quito",
        "/api/v1/products?category=a%00",
        "/api/v1/products?q=a%00",
        "/api/v1/artisans?craft=a%00",
        "/api/v1/artisans?city=a%00",
    ],
)
def test_nul_in_a_query_filter_is_400(client, mug, query):
    response = client.get(query)
    assert response.status_code == 400
    if query.startswith("/api/"):
        assert response.get_json()["error"]["code"] == 400


def test_nul_in_registration_name_is_400_and_creates_nothing(client, db):
    from shop.auth.models import User

    response = post_form(
        client,
        "/auth/register",
        {
            "name": "Ana\x00",
            "email": "ana@example.com",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("field", ["name", "phone", "address"])
def test_nul_in_checkout_text_is_400_and_places_no_order(client, db, mug, field):
    add(client, mug, 1)
    response, _ = place(client, {mug.artisan_id: "pickup"}, **{field: "x\x00y"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_nul_in_a_product_description_is_400(client, db, mug):
    login(client, mug.artisan.user.email)
    response = post_form(
        client,
        f"/workshop/products/{mug.id}/edit",
        {"title": "Taza", "price": "18.00", "category_id": "1", "description": "a\x00b"},
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert mug.description == "A handmade piece."


# Item 10: integers no column can hold, ids that are not in the cart


def test_ids_beyond_the_integer_column_are_404_in_urls(app, admin_client, db):
    for path in [
        f"/admin/orders/{HUGE}",
        f"/admin/artisans/{HUGE}",
        f"/admin/orders/{DB_INT_MAX + 1}",
        f"/workshop/products/{HUGE}/edit",
        f"/workshop/classes/{HUGE}/edit",
        f"/workshop/classes/1/sessions/{HUGE}",
        f"/workshop/orders/{HUGE}",
        f"/goals/sdg/{HUGE}",
        f"/orders/token/bookings/{HUGE}.ics",
    ]:
        response = admin_client.get(path)
        assert response.status_code == 404, path
    assert admin_client.get(f"/admin/orders/{DB_INT_MAX}").status_code == 404  # no such row
    assert post_form(admin_client, f"/admin/orders/{HUGE}/cancel").status_code == 404


@pytest.mark.parametrize("path", ["/products", "/classes", "/artisans"])
def test_page_numbers_beyond_the_last_page_never_fail(client, mug, path):
    assert client.get(f"{path}?page={HUGE}").status_code == 404
    assert client.get(f"{path}?page={MAX_PAGE + 1}").status_code == 404
    assert client.get(f"{path}?page={MAX_PAGE}").status_code == 200  # empty page
    for junk in ["abc", "-3", "0", "²", ""]:
        assert client.get(f"{path}?page={junk}").status_code == 200, junk


def test_admin_lists_refuse_huge_page_numbers(admin_client):
    for path in ["/admin/orders", "/admin/artisans", "/admin/audit"]:
        assert admin_client.get(f"{path}?page={HUGE}").status_code == 404, path
        assert admin_client.get(f"{path}?page=2").status_code == 200, path


def test_cart_add_with_a_huge_product_or_session_id_is_refused(client, db):
    token = csrf_token(client)
    for path, data in [
        ("/cart/add", {"product_id": HUGE, "quantity": "1"}),
        ("/cart/add", {"product_id": "²", "quantity": "1"}),
        ("/cart/add", {"product_id": "1", "quantity": HUGE}),
        ("/cart/add-seats", {"session_id": HUGE, "quantity": "1", "attendees": "Ana"}),
        ("/cart/add-seats", {"session_id": "1", "quantity": HUGE, "attendees": "Ana"}),
    ]:
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 302, (path, data)
    assert "Taza" not in client.get("/cart").get_data(as_text=True)


def test_cart_update_only_changes_lines_in_the_cart(customer_client, db, mug):
    add(customer_client, mug, 1)
    token = csrf_token(customer_client)
    for data in [
        {"qty_product_999999": "1"},  # no such product: was a foreign-key violation
        {f"qty_product_{HUGE}": "1"},
        {f"qty_seat_{HUGE}": "1"},
        {"remove": f"product_{HUGE}"},
        {f"qty_product_{mug.id}": "²"},
        {f"qty_product_{mug.id}": HUGE},
    ]:
        response = customer_client.post("/cart/update", data={"csrf_token": token, **data})
        assert response.status_code == 302, data
    rows = db.session.scalars(select(CartItem)).all()
    assert [(row.product_id, row.quantity) for row in rows] == [(mug.id, 1)]
    customer_client.post("/cart/update", data={"csrf_token": token, f"qty_product_{mug.id}": "2"})
    db.session.expire_all()
    assert db.session.scalar(select(CartItem.quantity)) == 2


def test_guest_cart_update_does_not_invent_lines(client, mug):
    token = csrf_token(client)
    client.post("/cart/update", data={"csrf_token": token, f"qty_product_{mug.id}": "1"})
    assert "Taza" not in client.get("/cart").get_data(as_text=True)


def test_unicode_digits_in_a_goal_filter_are_ignored(client):
    for path in ["/artisans?goal=sdg-²", "/products?goal=sdg-²", "/classes?goal=sdg-²"]:
        assert client.get(path).status_code == 200, path


def test_parse_id_accepts_only_ids_a_column_can_hold():
    assert parse_id("42") == 42
    assert parse_id(7) == 7
    assert parse_id(str(DB_INT_MAX)) == DB_INT_MAX
    for bad in [None, "", "0", "-1", "1.5", " 1", "²", "\u0661", str(DB_INT_MAX + 1), HUGE]:
        assert parse_id(bad) is None, bad


# Item 12: control characters in form text


def test_line_breaks_in_a_checkout_name_never_reach_an_email_as_lines(client, db, mug, outbox):
    add(client, mug, 1)
    name = "Gina\r\nBcc: victim@example.com\r\n\r\nFree money"
    response, _ = place(client, {mug.artisan_id: "pickup"}, name=name, phone="09\n99")
    assert response.status_code == 302
    post_form(client, response.headers["Location"], {"outcome": "pay"})
    order = db.session.scalar(select(Order))
    assert order.name == "Gina Bcc: victim@example.com Free money"
    assert order.phone == "09 99"
    messages = outbox.messages()
    assert messages, "no e-mail was sent"
    for message in messages:
        assert message["Bcc"] is None
        for line in outbox.body(message).splitlines():
            assert not line.startswith(("Bcc:", "Free money")), line


def test_text_areas_keep_newlines_and_drop_other_controls(client, db):
    potter = factories.artisan()
    potter.shipping_rate_cents = 450
    vase = factories.product(artisan_workshop=potter, shipping=True)
    db.session.commit()
    add(client, vase, 1)
    address = "Av. Amazonas 1\r\nQuito\x0b\x1b[31m\tpiso 2"
    response, _ = place(client, {potter.id: "shipping"}, address=address)
    assert response.status_code == 302
    group = db.session.scalar(select(Order)).groups[0]
    assert group.address == "Av. Amazonas 1\nQuito\n[31m\tpiso 2"


def test_field_filters():
    assert single_line("a\r\nb\tc\u2028d\x1b[0m\x7fe\x85f") == "a b c d[0me f"
    assert single_line(None) is None and single_line(5) == 5
    assert multi_line("a\r\nb\rc\u2029d\x00\x07e\tf") == "a\nb\nc\nde\tf"


def test_every_form_of_the_shop_derives_from_the_base_form():
    for module in pkgutil.walk_packages(shop.__path__, "shop."):
        importlib.import_module(module.name)
    pending = list(FlaskForm.__subclasses__())
    forms = []
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        if form.__module__.startswith("shop.") and form is not BaseForm:
            forms.append(form)
    assert len(forms) > 10
    strays = [f"{f.__module__}.{f.__name__}" for f in forms if not issubclass(f, BaseForm)]
    assert strays == [], "forms must derive from shop.core.forms.BaseForm"
