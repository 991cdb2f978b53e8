"""Pages with personal data send Cache-Control: no-store; public catalogue pages do not.

Every GET route of the app is classified here: a new route fails this test until someone
decides whether it is public.
"""

from __future__ import annotations

from sqlalchemy import select

from shop.orders.models import Order
from shop.waitlist import services as waitlist
from tests import factories
from tests.conftest import login, post_form
from tests.support.checkout import add, place

PUBLIC = {
    "static",
    "bootstrap.static",
    "main.index",
    "main.goals",
    "main.goal",
    "main.healthz",
    "main.robots",
    "main.sitemap",
    "catalog.listing",
    "catalog.detail",
    "catalog.photo",
    "classes.listing",
    "classes.detail",
    "artisans.directory",
    "artisans.profile",
    "media.serve",
    "api.artisans",
    "api.artisan",
    "api.openapi",
    "api.products",
    "api.product",
    "api.impact",
    "impact.page",
}
# Personal pages that must answer 200 here (with real data), not only a 404 or a redirect.
MUST_OPEN = {
    "orders.view_cart",
    "orders.checkout",
    "orders.my_orders",
    "orders.detail",
    "orders.my_bookings",
    "workshop.orders",
    "workshop.order",
    "payments.demo_pay",
    "classes.waitlist_entry",
    "auth.account",
    "workshop.dashboard",
    "workshop.profile",
    "workshop.products",
    "workshop.edit_product",
    "workshop.classes",
    "workshop.sessions",
    "workshop.session_roster",
    "admin.index",
    "admin.order",
    "admin.orders",
    "admin.review",
    "reviews.mine",
    "reviews.workshop",
    "messages.inbox",
    "messages.workshop_inbox",
    "moderation.report_product",
    "admin.listing_reports",
}


def _world(app, db):
    """A customer with a paid order, a pending one and a waitlist place; an artisan; an admin."""
    artisan = factories.artisan(shop_name="Barro Vivo")
    product = factories.product(artisan_workshop=artisan, title="Jarrón", stock=9)
    klass = factories.class_(artisan_workshop=artisan)
    full = factories.session(klass=klass, capacity=1, seats_taken=1)
    customer = factories.user(email="carla@example.com")
    admin = factories.user(is_admin=True)
    db.session.commit()

    clients = {"customer": app.test_client(), "artisan": app.test_client()}
    clients["admin"] = app.test_client()
    login(clients["customer"], customer.email)
    login(clients["artisan"], artisan.user.email)
    login(clients["admin"], admin.email)
    shopper = clients["customer"]
    add(shopper, product, 1)
    response, _ = place(shopper, {artisan.id: "pickup"})
    post_form(shopper, response.headers["Location"], {"outcome": "pay"})
    add(shopper, product, 1)
    response, _ = place(shopper, {artisan.id: "pickup"})
    pay_url = response.headers["Location"]  # the second order waits on its payment page
    add(shopper, product, 1)  # and the cart is not empty, so checkout opens

    with app.test_request_context():
        place_ = waitlist.join(
            waitlist.JoinRequest(
                session_id=full.id,
                email=customer.email,
                name="Carla",
                quantity=1,
                attendees=["Carla"],
                user_id=customer.id,
            )
        )
    db.session.commit()
    paid = db.session.scalars(select(Order).order_by(Order.id)).first()
    samples = {
        "slug": product.slug,
        "token": paid.access_token,
        "ref": pay_url.rsplit("/", 1)[1],
        "product_id": product.id,
        "class_id": klass.id,
        "session_id": full.id,
        "group_id": paid.groups[0].id,
        "order_id": paid.id,
        "artisan_id": artisan.id,
        "line_id": paid.lines[0].id,
        "kind": "sdg",
        "number": 8,
        "name": "missing.jpg",
        "filename": "css/app.css",
        "goal_id": 1,
        "photo_id": 1,
        "review_id": 1,
        "conversation_id": 1,
        "target_id": 1,
        "listing_id": product.id,
        "user_id": customer.id,
        "action": "suspend",
        "page": "about",
        "report_id": 1,
    }
    special = {
        "classes.waitlist_entry": f"/waitlist/{place_.token}",
        "classes.detail": f"/classes/{klass.slug}",
        "artisans.profile": f"/artisans/{artisan.slug}",
        "api.artisan": f"/api/v1/artisans/{artisan.slug}",
        "payments.stripe_pay": f"/payments/stripe/{paid.access_token}",
    }
    return clients, samples, special


def _url(rule, samples) -> str:
    path = rule.rule
    for argument in rule.arguments:
        for prefix in ("", "int:", "path:", "string:"):
            path = path.replace(f"<{prefix}{argument}>", str(samples[argument]))
    return path


def test_personal_pages_are_never_stored_and_public_pages_may_be(app, db):
    clients, samples, special = _world(app, db)
    opened, walked = set(), 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = special.get(rule.endpoint) or _url(rule, samples)
        if rule.endpoint.startswith("admin."):
            client = clients["admin"]
        elif rule.rule.startswith("/workshop"):
            client = clients["artisan"]
        else:
            client = clients["customer"]
        response = client.get(url)
        walked += 1
        cache = response.headers.get("Cache-Control", "")
        if rule.endpoint in PUBLIC:
            assert "no-store" not in cache, (url, cache)
        else:
            assert "no-store" in cache, (rule.endpoint, url, response.status_code, cache)
        if response.status_code == 200:
            opened.add(rule.endpoint)
    assert walked > 40
    assert opened >= MUST_OPEN, MUST_OPEN - opened
    assert {"catalog.listing", "catalog.detail", "classes.detail", "artisans.profile"} <= opened


def test_error_pages_of_personal_routes_are_not_stored_either(client, db):
    response = client.get("/orders/no-such-order")
    assert response.status_code == 404
    assert "no-store" in response.headers["Cache-Control"]
