"""Reporting a product or class: the form (log-in, validation, one open report per person),
the admins' queue, dismissing with a note and hiding through the moderation path, the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.auth.models import User
from shop.catalog.models import Product, ProductStatus
from shop.extensions import db as _db
from shop.moderation import reports
from shop.moderation.models import AuditEntry, ListingReport, ReportReason, ReportStatus
from tests import factories
from tests.conftest import login, post_form
from tests.support.threads import race


def _client(app, user):
    client = app.test_client()
    login(client, user.email)
    return client


def _reports() -> list[ListingReport]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(ListingReport).order_by(ListingReport.id)))


def _actions() -> list[str]:
    return list(_db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_listing_pages_link_to_the_report_page_which_asks_to_log_in(app, db):
    product = factories.product(title="Jarra azul")
    klass = factories.class_(title="Clase de barro")
    db.session.commit()
    visitor = app.test_client()
    for page, report in (
        (f"/products/{product.slug}", f"/products/{product.slug}/report"),
        (f"/classes/{klass.slug}", f"/classes/{klass.slug}/report"),
    ):
        html = visitor.get(page).get_data(as_text=True)
        assert f'href="{report}"' in html
        assert "Denunciar este anuncio" in html
        response = visitor.get(report)
        assert response.status_code == 302
        assert "/auth/login" in response.location and "report" in response.location
    assert visitor.get("/products/no-such/report").status_code == 302  # log-in first, then 404


def test_the_form_validates_and_rerenders(app, db, customer_client):
    product = factories.product()
    db.session.commit()
    path = f"/products/{product.slug}/report"
    assert customer_client.get(path).status_code == 200
    assert customer_client.get("/products/no-such/report").status_code == 404

    response = post_form(customer_client, path, {})
    assert response.status_code == 422
    assert "Elige qué está mal." in response.get_data(as_text=True)

    response = post_form(customer_client, path, {"reason": "other", "details": "  "})
    assert response.status_code == 422
    assert "Cuéntanos qué está mal." in response.get_data(as_text=True)

    response = post_form(customer_client, path, {"reason": "offensive", "details": "x" * 1001})
    assert response.status_code == 422
    response = post_form(customer_client, path, {"reason": "made-up", "details": ""})
    assert response.status_code == 422
    assert _reports() == []


def test_a_report_is_received_once_and_a_second_submit_changes_nothing(app, db, customer):
    product = factories.product(title="Jarra azul")
    db.session.commit()
    client = _client(app, customer)
    path = f"/products/{product.slug}/report"
    first = post_form(
        client, path, {"reason": "not_handmade", "details": "Es igual a uno de Amazon."}
    )
    assert first.status_code == 302 and first.location.endswith(f"/products/{product.slug}")
    assert "Gracias" in client.get(first.location).get_data(as_text=True)
    second = post_form(client, path, {"reason": "other", "details": "Otra vez"})
    assert second.status_code == 302
    assert "Ya recibimos tu denuncia" in client.get(second.location).get_data(as_text=True)
    (only,) = _reports()
    assert (only.reason, only.details, only.status) == (
        ReportReason.NOT_HANDMADE,
        "Es igual a uno de Amazon.",
        ReportStatus.OPEN,
    )
    assert "Ya recibimos tu denuncia" in client.get(path).get_data(as_text=True)


def test_the_database_refuses_a_second_open_report_but_not_one_after_a_decision(db, customer):
    product = factories.product()
    admin = factories.user(is_admin=True)
    first = ListingReport(product_id=product.id, reporter_id=customer.id, reason="offensive")
    db.session.add(first)
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            ListingReport(product_id=product.id, reporter_id=customer.id, reason="other")
        )
    reports.dismiss(first, admin, "No es ofensivo.")
    again = reports.report_listing(product, customer, ReportReason.OFFENSIVE, "Sigue igual")
    assert again == reports.ReportOutcome.RECEIVED
    assert reports.open_count() == 1


def test_two_submits_at_once_write_one_report(pg_app, db):
    product = factories.product()
    reporter = factories.user()
    _db.session.commit()
    ids = (product.id, reporter.id)

    def submit():
        return reports.report_listing(
            _db.session.get(Product, ids[0]), _db.session.get(User, ids[1]), ReportReason.OTHER, "x"
        ).value

    outcomes = sorted(o for _n, o in race(pg_app, [("one", submit), ("two", submit)]))
    assert outcomes == ["ok already_open", "ok received"], outcomes
    assert len(_reports()) == 1


def test_artisans_cannot_report_their_own_listing(app, db):
    product = factories.product()
    db.session.commit()
    client = _client(app, product.artisan.user)
    path = f"/products/{product.slug}/report"
    assert "Es tu propio anuncio" in client.get(path).get_data(as_text=True)
    assert post_form(client, path, {"reason": "other", "details": "x"}).status_code == 200
    assert _reports() == []


def test_reports_are_rate_limited_per_account(app, db, customer):
    app.config["LISTING_REPORT_RATE_LIMIT"] = "2 per hour"
    listings = [factories.product() for _ in range(3)]
    db.session.commit()
    client = _client(app, customer)
    statuses = [
        post_form(client, f"/products/{p.slug}/report", {"reason": "offensive"}).status_code
        for p in listings
    ]
    assert statuses == [302, 302, 429]


def _reported(app, db, product, *people):
    for person in people:
        post_form(
            _client(app, person),
            f"/products/{product.slug}/report",
            {"reason": "intellectual_property", "details": f"Copia de {person.name}"},
        )
    return _reports()


def test_admins_see_the_queue_and_dismiss_with_a_note(app, db, admin_client, outbox):
    product = factories.product(title="Jarra azul")
    reporter = factories.user(name="Rita Reporter", email="rita@example.com")
    db.session.commit()
    (report,) = _reported(app, db, product, reporter)

    home = admin_client.get("/admin/").get_data(as_text=True)
    queue = home[home.index('id="reports"') : home.index('id="listings"')]
    assert "Anuncios denunciados" in queue and "Jarra azul: 1 denuncia" in queue
    assert 'text-bg-warning">1<' in queue
    assert "Jarra azul" in admin_client.get("/admin/reports").get_data(as_text=True)

    page = admin_client.get(f"/admin/reports/{report.id}").get_data(as_text=True)
    for expected in ("Jarra azul", "Rita Reporter", "rita@example.com", "Copia de Rita"):
        assert expected in page
    confirm = f"/admin/reports/{report.id}/confirm/dismiss"
    assert admin_client.get(confirm).status_code == 200
    assert post_form(admin_client, confirm, {"reason": ""}).status_code == 422
    assert post_form(admin_client, confirm, {"reason": "Es su propio diseño."}).status_code == 302

    (report,) = _reports()
    assert report.status == ReportStatus.DISMISSED
    assert report.resolution_note == "Es su propio diseño."
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.target_kind, entry.target_id, entry.reason) == (
        "listing_report_dismissed",
        "product",
        product.id,
        "Es su propio diseño.",
    )
    assert db.session.get(Product, product.id).status == ProductStatus.ACTIVE
    # The reporter hears what was decided, never by whom nor the admin's note.
    [told] = outbox.to("rita@example.com")
    body = outbox.body(told)
    assert "Jarra azul" in told["Subject"] and "sigue en la tienda" in body
    assert "Es su propio diseño." not in body
    home = admin_client.get("/admin/").get_data(as_text=True)
    assert "Jarra azul" not in home[home.index('id="reports"') : home.index('id="listings"')]
    # A closed report cannot be decided again.
    assert admin_client.get(confirm).status_code == 302
    assert post_form(admin_client, confirm, {"reason": "otra vez"}).status_code == 200
    assert _actions() == ["listing_report_dismissed"]


def test_hiding_a_reported_listing_closes_every_open_report_and_tells_the_artisan(
    app, db, admin_client, outbox
):
    product = factories.product(title="Jarra azul")
    rita = factories.user(name="Rita Reporter", email="rita@example.com")
    raul = factories.user(name="Raul Reporter", email="raul@example.com")
    db.session.commit()
    first, _second = _reported(app, db, product, rita, raul)
    visitor = app.test_client()
    assert f"/products/{product.slug}/report" in visitor.get(f"/products/{product.slug}").text

    confirm = f"/admin/reports/{first.id}/confirm/hide"
    assert "Se cierran todas las denuncias" in admin_client.get(confirm).get_data(as_text=True)
    response = post_form(admin_client, confirm, {"reason": "Diseño copiado de otra marca."})
    assert response.status_code == 302

    assert {r.status for r in _reports()} == {ReportStatus.UPHELD}
    assert _actions() == ["listing_hidden", "listing_reports_upheld"]
    for address in ("rita@example.com", "raul@example.com"):  # every reporter hears of it
        [told] = outbox.to(address)
        assert "ya no está en la tienda" in outbox.body(told)
    assert db.session.get(Product, product.id).status == ProductStatus.HIDDEN
    # Gone from the public: its page and its report link.
    assert visitor.get(f"/products/{product.slug}").status_code == 404
    assert post_form(_client(app, rita), f"/products/{product.slug}/report").status_code == 404
    audit = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Cerró 2 denuncias de «Jarra azul» al ocultarlo" in audit
    # The artisan reads the reason, never who reported.
    artisan = _client(app, product.artisan.user)
    editor = artisan.get(f"/workshop/products/{product.id}/edit").get_data(as_text=True)
    assert "Diseño copiado de otra marca." in editor
    for secret in ("Rita", "rita@example.com", "Raul", "raul@example.com"):
        assert secret not in editor
    home = admin_client.get("/admin/").get_data(as_text=True)
    assert 'id="q-reports"' in home and "Jarra azul" not in home


def test_hiding_from_the_listing_page_also_closes_its_reports_and_classes_work_too(
    app, db, admin_client, customer
):
    klass = factories.class_(title="Clase de barro")
    db.session.commit()
    client = _client(app, customer)
    response = post_form(client, f"/classes/{klass.slug}/report", {"reason": "misleading"})
    assert response.status_code == 302
    (report,) = _reports()
    assert report.kind == "class" and report.listing.id == klass.id
    assert "Clase de barro" in admin_client.get(f"/admin/listings/class/{klass.id}").text
    post_form(admin_client, f"/admin/listings/class/{klass.id}/hide", {"reason": "Engañosa."})
    (report,) = _reports()
    assert report.status == ReportStatus.UPHELD
    assert _db.session.scalar(select(func.count(ListingReport.id))) == 1
    assert _actions() == ["listing_hidden", "listing_reports_upheld"]
