"""Review pages: writing with a photo, what the public sees (first name and month, "new"
below three, JSON-LD from three on), hostile text always escaped, every role's access."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest

from shop.core.time import utcnow
from shop.reviews import invitations
from shop.reviews.models import Review, ReviewStatus
from tests import factories
from tests.conftest import login, post_form
from tests.support.images import jpeg_bytes

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(2)</script>",
    '<a href="javascript:alert(3)">click</a>',
    "<svg/onload=alert(4)>",
    "{{ 7*7 }}",
]
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _rating_block(page: str) -> dict | None:
    """The structured-data block that carries the reviews (the page has others: Product,
    BreadcrumbList, Event...), or None."""
    for raw in JSONLD.findall(page):
        data = json.loads(raw)
        for block in data if isinstance(data, list) else [data]:
            if "aggregateRating" in block:
                return block
    return None


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def _product_with_reviews(db, count, bodies=None, ratings=None):
    artisan = factories.artisan()
    item = factories.product(artisan_workshop=artisan, stock=50, title="Taza azul")
    for index in range(count):
        buyer = factories.user(name=f"Marta{index} Secretsurname")
        body = bodies[index] if bodies else f"Muy linda {index}"
        rating = ratings[index] if ratings else 4
        factories.review(factories.completed_purchase(buyer, item), rating=rating, body=body)
    db.session.commit()
    return artisan, item


def test_a_buyer_writes_a_review_with_a_photo_and_sees_it_on_the_product(client, db, app, ctx):
    buyer = factories.user(name="Lucía Fernández")
    item = factories.product(title="Cuenco verde")
    line = factories.completed_purchase(buyer, item)
    db.session.commit()
    login(client, buyer.email)
    assert client.get(f"/account/reviews/new/{line.id}").status_code == 200
    response = post_form(
        client,
        f"/account/reviews/new/{line.id}",
        {
            "rating": "5",
            "body": "Hermoso.\nLlegó bien.",
            "photo": (io.BytesIO(jpeg_bytes()), "mine.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    review = db.session.query(Review).one()
    assert (review.rating, review.photo_id is not None) == (5, True)
    page = client.application.test_client().get(f"/products/{item.slug}").get_data(as_text=True)
    assert "Hermoso." in page and "Lucía" in page
    assert "Fernández" not in page and buyer.email not in page
    assert "Nuevo" in page  # one review: no average yet
    assert review.photo.filename("400") in page


def test_bad_input_re_renders_with_errors_never_a_500(client, db, ctx):
    buyer = factories.user()
    line = factories.completed_purchase(buyer, factories.product())
    db.session.commit()
    login(client, buyer.email)
    for data in ({"rating": "9", "body": "x"}, {"rating": "", "body": "x"}, {"rating": "abc"}):
        assert post_form(client, f"/account/reviews/new/{line.id}", data).status_code == 422
    too_long = post_form(
        client, f"/account/reviews/new/{line.id}", {"rating": "3", "body": "x" * 2001}
    )
    assert too_long.status_code == 422
    not_a_photo = post_form(
        client,
        f"/account/reviews/new/{line.id}",
        {"rating": "3", "photo": (io.BytesIO(b"GIF89a not really"), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert not_a_photo.status_code == 422
    assert db.session.query(Review).count() == 0


def test_the_average_shows_from_three_reviews_with_json_ld(client, db, ctx):
    _, two = _product_with_reviews(db, 2)
    page = client.get(f"/products/{two.slug}").get_data(as_text=True)
    assert "Nuevo" in page and _rating_block(page) is None
    _, three = _product_with_reviews(db, 3, ratings=[5, 4, 4])
    page = client.get(f"/products/{three.slug}").get_data(as_text=True)
    assert "4,3" in page
    assert "3 opiniones" in page
    data = _rating_block(page)
    assert data["@type"] == "Product" and data["aggregateRating"]["ratingValue"] == "4.3"
    # The same entity as the page's Product block (with its offer), so the two are read as one.
    assert data["@id"].endswith(f"/products/{three.slug}#product")
    assert page.count(f'"@id": "{data["@id"]}"') == 2
    assert data["aggregateRating"]["reviewCount"] == 3 and len(data["review"]) == 3
    assert {r["author"]["name"] for r in data["review"]} == {"Marta0", "Marta1", "Marta2"}


def test_hostile_review_and_reply_text_is_always_escaped(client, db, ctx):
    artisan, item = _product_with_reviews(db, len(XSS), bodies=XSS)
    for review in db.session.query(Review):
        review.reply = XSS[review.id % len(XSS)]
    db.session.commit()
    for url in (f"/products/{item.slug}", f"/artisans/{artisan.slug}"):
        page = client.get(url).get_data(as_text=True)
        for payload in XSS:
            if "<" in payload:
                assert payload not in page, (url, payload)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "{{ 7*7 }}" in page  # shown as typed, never evaluated
        assert all("</script" not in raw for raw in JSONLD.findall(page))
        block = _rating_block(page)
        if block:  # the product page: the JSON holds the words, escaped for a script tag
            assert set(XSS) <= {r["reviewBody"] for r in block["review"]}
    login(client, artisan.user.email)
    workshop = client.get("/workshop/reviews").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in workshop


def test_class_page_and_artisan_page_show_their_reviews(client, db, ctx):
    artisan = factories.artisan()
    klass = factories.class_(artisan_workshop=artisan, title="Torno")
    for index in range(3):
        buyer = factories.user(name=f"Ana{index} Apellido")
        factories.review(factories.attended_booking(buyer, klass), rating=5, body=f"clase {index}")
    db.session.commit()
    page = client.get(f"/classes/{klass.slug}").get_data(as_text=True)
    assert ("clase 0" in page and "5.0" in page) or "5,0" in page
    assert _rating_block(page)["@type"] == "Course"
    profile = client.get(f"/artisans/{artisan.slug}").get_data(as_text=True)
    assert "clase 2" in profile and _rating_block(profile) is None


def test_hidden_review_shows_its_reason_to_the_author_only(client, db, app, ctx):
    _, item = _product_with_reviews(db, 1, bodies=["spam spam spam"])
    review = db.session.query(Review).one()
    author_email = review.author.email
    admin = factories.user(is_admin=True)
    db.session.commit()
    login(client, admin.email)
    response = post_form(
        client, f"/admin/reviews/{review.id}/moderate", {"action": "hide", "reason": "Publicidad"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Review, review.id).status == ReviewStatus.HIDDEN
    public = app.test_client().get(f"/products/{item.slug}").get_data(as_text=True)
    assert "spam spam spam" not in public
    author = app.test_client()
    login(author, author_email)
    mine = author.get("/account/reviews").get_data(as_text=True)
    assert "Publicidad" in mine and "spam spam spam" in mine


def test_logged_in_readers_report_a_review(client, db, customer, ctx):
    _, item = _product_with_reviews(db, 1)
    review = db.session.query(Review).one()
    login(client, customer.email)
    page = client.get(f"/products/{item.slug}").get_data(as_text=True)
    assert f"/reviews/{review.id}/report" in page
    response = post_form(
        client,
        f"/reviews/{review.id}/report",
        {"reason": "Es falso", "next": f"/products/{item.slug}#reviews"},
    )
    assert response.headers["Location"].endswith(f"/products/{item.slug}#reviews")
    evil = post_form(
        client, f"/reviews/{review.id}/report", {"reason": "x", "next": "//evil.example"}
    )
    assert evil.headers["Location"] == "/"
    db.session.expire_all()
    assert len(db.session.get(Review, review.id).reports) == 1
    anonymous = client.application.test_client()
    page = anonymous.get(f"/products/{item.slug}").get_data(as_text=True)
    assert f"/reviews/{review.id}/report" not in page


def test_the_artisan_replies_from_the_workshop(client, db, ctx):
    artisan, item = _product_with_reviews(db, 1)
    review = db.session.query(Review).one()
    other = factories.artisan()
    db.session.commit()
    login(client, other.user.email)
    assert (
        post_form(client, f"/workshop/reviews/{review.id}/reply", {"reply": "no"}).status_code
        == 404
    )
    mine = client.application.test_client()
    login(mine, artisan.user.email)
    assert "Muy linda 0" in mine.get("/workshop/reviews").get_data(as_text=True)
    post_form(mine, f"/workshop/reviews/{review.id}/reply", {"reply": "¡Gracias de corazón!"})
    post_form(mine, f"/workshop/reviews/{review.id}/reply", {"reply": "Second try"})
    db.session.expire_all()
    assert db.session.get(Review, review.id).reply == "¡Gracias de corazón!"
    page = client.get(f"/products/{item.slug}").get_data(as_text=True)
    assert "¡Gracias de corazón!" in page


def test_nobody_writes_or_edits_for_someone_else(client, db, customer, ctx):
    buyer = factories.user()
    line = factories.completed_purchase(buyer, factories.product())
    review = factories.review(line)
    db.session.commit()
    login(client, customer.email)
    assert client.get(f"/account/reviews/new/{line.id}").status_code == 404
    assert post_form(client, f"/account/reviews/new/{line.id}", {"rating": "1"}).status_code == 404
    assert client.get(f"/account/reviews/{review.id}/edit").status_code == 404
    assert client.get("/admin/reviews").status_code == 403
    assert (
        post_form(
            client, f"/admin/reviews/{review.id}/moderate", {"action": "hide", "reason": "x"}
        ).status_code
        == 403
    )
    # No workshop: the guard sends them to apply for one.
    assert client.get("/workshop/reviews").headers["Location"] == "/workshop/apply"
    anonymous = client.application.test_client()
    assert anonymous.get(f"/account/reviews/new/{line.id}").status_code == 302


def test_the_author_edits_within_48_hours(client, db, ctx):
    buyer = factories.user()
    review = factories.review(factories.completed_purchase(buyer, factories.product()), rating=2)
    db.session.commit()
    login(client, buyer.email)
    response = post_form(
        client, f"/account/reviews/{review.id}/edit", {"rating": "4", "body": "Mejor"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Review, review.id).rating == 4
    db.session.get(Review, review.id).created_at = utcnow() - timedelta(hours=49)
    db.session.commit()
    late = post_form(client, f"/account/reviews/{review.id}/edit", {"rating": "1", "body": "No"})
    assert late.status_code == 302
    db.session.expire_all()
    assert db.session.get(Review, review.id).rating == 4


def test_the_invitation_link_leads_to_the_form_and_forged_links_do_not(client, db, ctx):
    buyer = factories.user()
    line = factories.completed_purchase(buyer, factories.product())
    db.session.commit()
    token = invitations.invitation_token(line)
    response = client.get(f"/reviews/invite/{token}")
    assert response.headers["Location"].endswith(f"/account/reviews/new/{line.id}")
    assert client.get(f"/reviews/invite/{token}x").status_code == 404
    assert client.get("/reviews/invite/garbage").status_code == 404


def test_send_review_invitations_command(runner, db, ctx, outbox):
    buyer = factories.user()
    factories.completed_purchase(buyer, factories.product())
    db.session.commit()
    first = runner.invoke(args=["send-review-invitations"])
    assert "Sent 1 review invitations." in first.output
    again = runner.invoke(args=["send-review-invitations"])
    assert "Sent 0 review invitations." in again.output
    assert len([m for m in outbox.to(buyer.email) if "/reviews/invite/" in outbox.body(m)]) == 1
