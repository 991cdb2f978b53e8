"""Artisan and admin pages, walked by every role."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage
from sqlalchemy import select

from shop.artisans.models import Artisan, ArtisanStatus
from shop.media.models import Image
from tests import factories
from tests.conftest import login, post_form
from tests.support.images import jpeg_bytes

EN = {"Accept-Language": "en"}


def application_form(**overrides) -> dict:
    data = {
        "shop_name": "Barro Vivo",
        "slug": "",
        "first_name": "Marisol",
        "public_name_choice": "shop_name",
        "craft": "Ceramics",
        "city": "Quito",
        "country": "EC",
        "origin_country": "VE",
        "languages": "Spanish",
        "tagline": "Pots from Quito",
        "story": "## My story\n\nI came with my hands.",
        "story_url": "https://example.org/story",
        "consent": "y",
        "goal_sdg_8": "y",
        "goal_sdg_8_statement": "My workshop employs me",
        "goal_gcm_19_statement": "Diaspora contribution",
    }
    data.update(overrides)
    return data


@pytest.fixture
def roles(app, db):
    """One client per role: anonymous, customer, pending, approved, other artisan, admin."""
    customer = factories.user(name="Customer")
    pending = factories.artisan(status="pending", shop_name="Pending Pots")
    approved = factories.artisan(status="approved", shop_name="Approved Pots")
    other = factories.artisan(status="approved", shop_name="Other Pots")
    admin = factories.user(is_admin=True)
    db.session.commit()
    clients = {"anonymous": app.test_client()}
    for name, email in [
        ("customer", customer.email),
        ("pending", pending.user.email),
        ("approved", approved.user.email),
        ("other", other.user.email),
        ("admin", admin.email),
    ]:
        clients[name] = app.test_client()
        login(clients[name], email)
    clients["objects"] = {"pending": pending, "approved": approved, "other": other, "admin": admin}
    return clients


ADMIN_PAGES = ["/admin/", "/admin/artisans", "/admin/artisans?status=approved", "/admin/audit"]


@pytest.mark.parametrize("role", ["anonymous", "customer", "pending", "approved", "other", "admin"])
def test_admin_pages_by_role(roles, role):
    pending = roles["objects"]["pending"]
    for path in [*ADMIN_PAGES, f"/admin/artisans/{pending.id}"]:
        status = roles[role].get(path).status_code
        expected = {"anonymous": 302, "admin": 200}.get(role, 403)
        assert status == expected, (path, role, status)


@pytest.mark.parametrize("role", ["anonymous", "customer", "pending", "approved", "other"])
def test_only_admins_can_post_decisions(roles, role, db):
    pending = roles["objects"]["pending"]
    response = post_form(roles[role], f"/admin/artisans/{pending.id}/decide", {"action": "approve"})
    assert response.status_code in (302, 403)
    if role != "anonymous":
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Artisan, pending.id).status == ArtisanStatus.PENDING


def test_admin_approves_from_the_queue(roles, db, outbox):
    pending = roles["objects"]["pending"]
    admin = roles["admin"]
    queue = admin.get("/admin/artisans").get_data(as_text=True)
    assert "Pending Pots" in queue and "Approved Pots" not in queue
    response = post_form(admin, f"/admin/artisans/{pending.id}/decide", {"action": "approve"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Artisan, pending.id).status == ArtisanStatus.APPROVED
    assert roles["anonymous"].get(f"/artisans/{pending.slug}").status_code == 200
    assert (
        "approved" in outbox.to(pending.user.email)[0]["Subject"].lower()
        or "aprobado" in outbox.to(pending.user.email)[0]["Subject"].lower()
    )


def test_reject_without_reason_changes_nothing(roles, db):
    pending = roles["objects"]["pending"]
    response = post_form(
        roles["admin"],
        f"/admin/artisans/{pending.id}/decide",
        {"action": "reject", "reason": ""},
        follow_redirects=True,
    )
    assert "Indica un motivo" in response.get_data(as_text=True)  # the admin's language
    db.session.expire_all()
    assert db.session.get(Artisan, pending.id).status == ArtisanStatus.PENDING


def test_queue_is_oldest_first(app, db, admin_client):
    from datetime import timedelta

    from shop.core.time import utcnow

    newer = factories.artisan(status="pending", shop_name="Newer")
    older = factories.artisan(status="pending", shop_name="Older")
    newer.submitted_at = utcnow()
    older.submitted_at = utcnow() - timedelta(days=3)
    db.session.commit()
    html = admin_client.get("/admin/artisans").get_data(as_text=True)
    assert html.index("Older") < html.index("Newer")


def test_rejected_artisan_sees_reason_and_resubmits(roles, db):
    pending = roles["objects"]["pending"]
    post_form(
        roles["admin"],
        f"/admin/artisans/{pending.id}/decide",
        {"action": "reject", "reason": "Please add photos of your work"},
    )
    page = roles["pending"].get("/workshop").get_data(as_text=True)
    assert "Please add photos of your work" in page
    post_form(roles["pending"], "/workshop/resubmit")
    db.session.expire_all()
    assert db.session.get(Artisan, pending.id).status == ArtisanStatus.PENDING


@pytest.mark.parametrize("role", ["anonymous", "customer", "pending", "approved", "other", "admin"])
def test_public_profile_visibility(roles, role):
    objects = roles["objects"]
    assert roles[role].get(f"/artisans/{objects['approved'].slug}").status_code == 200
    assert roles[role].get(f"/artisans/{objects['pending'].slug}").status_code == 404


def test_suspended_and_withdrawn_profiles_are_404(client, db):
    suspended = factories.artisan(status="suspended")
    withdrawn = factories.artisan(status="approved", consent=False)
    rejected = factories.artisan(status="rejected")
    db.session.commit()
    for artisan in (suspended, withdrawn, rejected):
        assert client.get(f"/artisans/{artisan.slug}").status_code == 404
        assert artisan.shop_name not in client.get("/artisans").get_data(as_text=True)
        assert artisan.shop_name not in client.get("/goals/sdg/8").get_data(as_text=True)


def test_profile_shows_story_badges_and_city_only(client, db, admin):
    from shop.artisans import services

    artisan = factories.artisan(
        goals={("sdg", 8): "Decent work here", ("gcm", 19): ""},
        story="**Bold** start\n\n<script>alert(1)</script>",
    )
    artisan.story_url = "https://example.org/story"
    services.verify_goal(artisan.goals[0], admin, True)
    db.session.commit()
    html = client.get(f"/artisans/{artisan.slug}", headers=EN).get_data(as_text=True)
    assert "<strong>Bold</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "goal-sdg-8" in html and "goal-gcm" in html
    assert "goal-badge--verified" in html
    assert "Decent work here" in html
    assert 'href="https://example.org/story"' in html
    assert "Quito" in html and "Ecuador" in html


def test_origin_country_only_when_chosen(client, db):
    shown = factories.artisan()
    shown.origin_country, shown.show_origin = "VE", True
    hidden = factories.artisan()
    hidden.origin_country, hidden.show_origin = "CO", False
    db.session.commit()
    assert "Venezuela" in client.get(f"/artisans/{shown.slug}", headers=EN).get_data(as_text=True)
    assert "Colombia" not in client.get(f"/artisans/{hidden.slug}", headers=EN).get_data(
        as_text=True
    )


def test_directory_filters(client, db):
    factories.artisan(shop_name="Clay House", craft="Ceramics", city="Quito")
    factories.artisan(
        shop_name="Loom House", craft="Textiles", city="Cuenca", goals={("gcm", 19): ""}
    )
    db.session.commit()
    html = client.get("/artisans?craft=Textiles").get_data(as_text=True)
    assert "Loom House" in html and "Clay House" not in html
    html = client.get("/artisans?goal=gcm-19").get_data(as_text=True)
    assert "Loom House" in html and "Clay House" not in html
    html = client.get("/artisans?city=quito").get_data(as_text=True)
    assert "Clay House" in html and "Loom House" not in html


def test_goal_pages(client, db):
    factories.artisan(shop_name="Clay House", goals={("sdg", 8): ""})
    db.session.commit()
    html = client.get("/goals/sdg/8", headers=EN).get_data(as_text=True)
    assert "Decent Work and Economic Growth" in html and "Clay House" in html
    assert client.get("/goals/sdg/18").status_code == 404
    assert client.get("/goals/xyz/1").status_code == 404
    assert "Trabajo decente" in client.get("/goals/sdg/8").get_data(as_text=True)
    assert client.get("/goals").status_code == 200


ABOUT_FIELDS = ("first_name", "public_name_choice", "city", "country", "origin_country")
CRAFT_FIELDS = ("shop_name", "slug", "craft", "tagline", "story", "story_url")


def _part(data: dict, names) -> dict:
    return {name: data[name] for name in names if name in data}


def apply_in_steps(client, data: dict, photos: dict | None = None):
    """Go through every application step with data; return the last response."""
    about = {**_part(data, ABOUT_FIELDS), "languages": "Spanish", "consent": data["consent"]}
    for page, values, extra in [
        ("about", about, {}),
        ("craft", _part(data, CRAFT_FIELDS), {}),
        ("photos", photos or {}, {"content_type": "multipart/form-data"}),
        ("goals", {"goals": ["sdg-8", "gcm-19"]}, {}),
        (
            "statements",
            {"sdg-8": data["goal_sdg_8_statement"], "gcm-19": data["goal_gcm_19_statement"]},
            {},
        ),
    ]:
        response = post_form(client, f"/workshop/apply/{page}", {"go": "next", **values}, **extra)
        if response.status_code != 302:
            return response
    return post_form(client, "/workshop/apply/review")


def test_apply_with_photos_strips_gps(app, db, customer_client, customer):
    photos = {
        "profile_photo": (io.BytesIO(jpeg_bytes()), "me.jpg"),
        "cover_photo": (io.BytesIO(jpeg_bytes((1600, 700))), "cover.jpg"),
    }
    response = apply_in_steps(customer_client, application_form(), photos)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    artisan = db.session.scalar(select(Artisan))
    assert artisan.status == ArtisanStatus.PENDING
    assert artisan.slug == "barro-vivo"
    assert {(g.kind, g.number) for g in artisan.goals} == {("sdg", 8), ("gcm", 19)}
    image = db.session.get(Image, artisan.profile_image_id)
    served = customer_client.get(f"/media/{image.filename('1200')}")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    stored = PILImage.open(io.BytesIO(served.data))
    assert not stored.getexif(), "EXIF (and GPS) must be gone"
    assert b"GPS" not in served.data and b"PhoneMaker" not in served.data


def test_apply_rejects_a_fake_image_and_keeps_input(db, customer_client):
    photos = {"profile_photo": (io.BytesIO(b"<svg onload=alert(1)>"), "me.jpg")}
    response = apply_in_steps(customer_client, application_form(), photos)
    assert response.status_code == 422
    assert db.session.scalar(select(Artisan)) is None
    assert db.session.scalar(select(Image)) is None
    # What was typed on the steps before is kept.
    html = customer_client.get("/workshop/apply/craft").get_data(as_text=True)
    assert 'value="Barro Vivo"' in html and "I came with my hands." in html


def test_apply_errors_are_shown_per_field(db, customer_client):
    response = apply_in_steps(customer_client, application_form(consent=""))
    assert response.status_code == 422
    assert "Solo podemos publicar tu historia con tu consentimiento" in response.get_data(
        as_text=True
    )
    response = apply_in_steps(
        customer_client,
        application_form(shop_name="", story="x" * 20001, story_url="javascript:alert(1)"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "como máximo 20.000 caracteres" in html  # the customer's language: Spanish
    assert "https://" in html
    assert db.session.scalar(select(Artisan)) is None


def test_apply_slug_collision_suggests(db, customer_client):
    factories.artisan(shop_name="Somebody", status="approved").slug = "barro-vivo"
    db.session.commit()
    response = apply_in_steps(customer_client, application_form())
    assert response.status_code == 422
    assert "barro-vivo-2" in response.get_data(as_text=True)


def test_pending_artisan_edits_application(roles, db):
    pending = roles["objects"]["pending"]
    form = application_form(shop_name="Pending Pots Renamed", slug=pending.slug)
    form.pop("consent")
    response = post_form(roles["pending"], "/workshop/profile", form)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Artisan, pending.id).shop_name == "Pending Pots Renamed"


def test_withdraw_consent_from_dashboard(roles, db):
    approved = roles["objects"]["approved"]
    post_form(roles["approved"], "/workshop/consent", {"give": "0"})
    assert roles["anonymous"].get(f"/artisans/{approved.slug}").status_code == 404
    post_form(roles["approved"], "/workshop/consent", {"give": "1"})
    assert roles["anonymous"].get(f"/artisans/{approved.slug}").status_code == 200


def test_workshop_pages_need_login_and_a_workshop(roles):
    assert roles["anonymous"].get("/workshop").status_code == 302
    assert roles["customer"].get("/workshop").headers["Location"] == "/workshop/apply"
    # Every workshop page sends someone without a workshop to the application form.
    assert roles["customer"].get("/workshop/profile").headers["Location"] == "/workshop/apply"
    assert roles["customer"].get("/workshop/products").headers["Location"] == "/workshop/apply"
    assert roles["approved"].get("/workshop/apply").status_code == 302


def test_media_route_refuses_bad_names(client):
    for name in ["../secret_key", "x.jpg", "abc-full.gif", "%2e%2e%2fshop.db"]:
        assert client.get(f"/media/{name}").status_code == 404
