"""Moderation: hiding listings with a reason the artisan answers, suspending accounts and
workshops through confirmation pages, admin rights (never the last admin), the audit log."""

from __future__ import annotations

from sqlalchemy import select

from shop.artisans.models import ArtisanEvent, ArtisanStatus
from shop.auth.models import User
from shop.catalog.models import Product, ProductStatus
from shop.classes.models import Class
from shop.extensions import db as _db
from shop.moderation import services as moderation
from shop.moderation.models import AuditEntry
from tests import factories
from tests.conftest import login, post_form
from tests.support.threads import race


def _public_everywhere(client, product: Product) -> dict[str, bool]:
    return {
        "page": client.get(f"/products/{product.slug}").status_code == 200,
        "list": product.title in client.get("/products").get_data(as_text=True),
        "search": product.title in client.get("/products?q=Jarra").get_data(as_text=True),
        "api": client.get(f"/api/v1/products/{product.slug}").status_code == 200,
        "sitemap": product.slug in client.get("/sitemap.xml").get_data(as_text=True),
    }


def test_hidden_product_leaves_every_public_page_and_the_artisan_answers(app, admin_client, db):
    product = factories.product(title="Jarra pintada")
    db.session.commit()
    visitor = app.test_client()
    assert all(_public_everywhere(visitor, product).values())

    response = post_form(
        admin_client,
        f"/admin/listings/product/{product.id}/hide",
        {"reason": "La foto muestra una marca registrada."},
    )
    assert response.status_code == 302
    assert not any(_public_everywhere(visitor, product).values())
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.target_kind, entry.target_id) == (
        "listing_hidden",
        "product",
        product.id,
    )
    assert entry.reason == "La foto muestra una marca registrada."

    # The artisan reads why, cannot simply publish it again, and asks for a review.
    artisan_client = app.test_client()
    login(artisan_client, product.artisan.user.email)
    editor = artisan_client.get(f"/workshop/products/{product.id}/edit").get_data(as_text=True)
    assert "La foto muestra una marca registrada." in editor
    post_form(artisan_client, f"/workshop/products/{product.id}/status", {"action": "publish"})
    db.session.expire_all()
    assert db.session.get(Product, product.id).status == ProductStatus.HIDDEN
    post_form(artisan_client, f"/workshop/listings/product/{product.id}/ask-review")
    db.session.expire_all()
    assert db.session.get(Product, product.id).review_requested_at is not None
    home = admin_client.get("/admin/").get_data(as_text=True)
    queue = home[home.index('id="listings"') : home.index('id="orders"')]
    assert "Jarra pintada" in queue

    assert post_form(admin_client, f"/admin/listings/product/{product.id}/show").status_code == 302
    assert all(_public_everywhere(visitor, product).values())
    assert "Mostró de nuevo «Jarra pintada»" in admin_client.get("/admin/audit").get_data(
        as_text=True
    )


def test_hiding_needs_a_reason_and_rerenders(admin_client, db):
    product = factories.product()
    db.session.commit()
    response = post_form(admin_client, f"/admin/listings/product/{product.id}/hide", {})
    assert response.status_code == 422
    assert "Di por qué" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Product, product.id).status == ProductStatus.ACTIVE


def test_another_artisan_cannot_ask_a_review_of_a_listing(app, admin, db):
    product = factories.product()
    other = factories.artisan()
    db.session.commit()
    moderation.hide_listing(product, admin, "Precio engañoso")
    db.session.commit()
    client = app.test_client()
    login(client, other.user.email)
    response = post_form(client, f"/workshop/listings/product/{product.id}/ask-review")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Product, product.id).review_requested_at is None


def test_hidden_class_leaves_its_page(app, admin_client, db):
    klass = factories.class_(title="Telar de cintura")
    db.session.commit()
    visitor = app.test_client()
    assert visitor.get(f"/classes/{klass.slug}").status_code == 200
    post_form(admin_client, f"/admin/listings/class/{klass.id}/hide", {"reason": "Dirección falsa"})
    assert visitor.get(f"/classes/{klass.slug}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Class, klass.id).moderation_reason == "Dirección falsa"


def test_suspending_an_account_goes_through_a_confirmation_page(app, admin_client, db):
    person = factories.user(name="Pedro Pérez", email="pedro@example.com")
    db.session.commit()
    theirs = app.test_client()
    login(theirs, person.email)
    assert theirs.get("/auth/account").status_code == 200

    page = admin_client.get(f"/admin/users/{person.id}/confirm/suspend").get_data(as_text=True)
    assert "Qué pasará:" in page and "Se cierran todas sus sesiones" in page
    refused = post_form(admin_client, f"/admin/users/{person.id}/confirm/suspend", {})
    assert refused.status_code == 422
    done = post_form(admin_client, f"/admin/users/{person.id}/confirm/suspend", {"reason": "Spam"})
    assert done.status_code == 302
    assert theirs.get("/auth/account").status_code == 302  # logged out
    again = app.test_client()
    failed = post_form(
        again, "/auth/login", {"email": person.email, "password": factories.PASSWORD}
    )
    assert failed.status_code != 302

    post_form(admin_client, f"/admin/users/{person.id}/confirm/reinstate", {"reason": ""})
    login(app.test_client(), person.email)  # asserts the log-in worked
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["user_suspended", "user_reinstated"]


def test_suspending_and_reinstating_a_workshop(app, admin_client, db):
    workshop = factories.artisan(shop_name="Barro Vivo")
    db.session.commit()
    visitor = app.test_client()
    assert visitor.get(f"/artisans/{workshop.slug}").status_code == 200
    page = admin_client.get(f"/admin/artisans/{workshop.id}/confirm/suspend")
    assert "salen de todas las páginas públicas" in page.get_data(as_text=True)
    post_form(
        admin_client, f"/admin/artisans/{workshop.id}/confirm/suspend", {"reason": "Denuncia"}
    )
    assert visitor.get(f"/artisans/{workshop.slug}").status_code == 404
    post_form(admin_client, f"/admin/artisans/{workshop.id}/confirm/reinstate", {"reason": ""})
    assert visitor.get(f"/artisans/{workshop.slug}").status_code == 200
    actions = db.session.scalars(
        select(ArtisanEvent.action)
        .where(ArtisanEvent.artisan_id == workshop.id)
        .order_by(ArtisanEvent.id)
    ).all()
    assert actions[-2:] == ["suspend", "reinstate"]
    db.session.expire_all()
    assert workshop.status == ArtisanStatus.APPROVED


def test_admin_rights_never_leave_the_last_admin(admin_client, admin, db):
    helper = factories.user(name="Helena", email="helena@example.com")
    db.session.commit()
    post_form(admin_client, f"/admin/users/{helper.id}/confirm/make_admin", {"reason": "Equipo"})
    db.session.expire_all()
    assert db.session.get(User, helper.id).is_admin
    post_form(admin_client, f"/admin/users/{helper.id}/confirm/remove_admin", {"reason": ""})
    db.session.expire_all()
    assert not db.session.get(User, helper.id).is_admin
    # Alone again: the last admin cannot remove themselves, nor be suspended.
    response = post_form(admin_client, f"/admin/users/{admin.id}/confirm/remove_admin", {})
    assert "No se puede quitar al último administrador" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_admin
    response = post_form(admin_client, f"/admin/users/{admin.id}/confirm/suspend", {"reason": "x"})
    assert db.session.get(User, admin.id).suspended_at is None


def test_two_admins_removing_each_other_at_once_leave_one(pg_app, db):
    first = factories.user(name="Ana", is_admin=True)
    second = factories.user(name="Beto", is_admin=True)
    _db.session.commit()
    ids = (first.id, second.id)

    def remove(target_id: int, actor_id: int):
        def job() -> None:
            moderation.remove_admin(
                _db.session.get(User, target_id), _db.session.get(User, actor_id), "race"
            )

        return job

    for _round in range(5):
        outcomes = race(
            pg_app,
            [
                ("ana removes beto", remove(ids[1], ids[0])),
                ("beto removes ana", remove(ids[0], ids[1])),
            ],
        )
        results = sorted(outcome for _name, outcome in outcomes)
        assert results == ["ok", "refused NotAllowed"], results
        _db.session.expire_all()
        admins = _db.session.scalars(select(User.id).where(User.is_admin.is_(True))).all()
        assert len(admins) == 1
        for user_id in ids:  # both admins again for the next round
            _db.session.get(User, user_id).is_admin = True
        _db.session.commit()
