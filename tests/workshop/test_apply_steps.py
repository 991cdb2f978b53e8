"""Applying in steps: each step validated and saved on the server, resumed at the first
unfinished one, goals asked for statements only where chosen, sent through the one service."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from shop.artisans.models import ApplicationDraft, Artisan, ArtisanStatus
from shop.media.services import save_image
from tests import factories
from tests.conftest import login, post_form
from tests.support.images import jpeg_bytes

ABOUT = {
    "first_name": "Marisol",
    "public_name_choice": "shop_name",
    "city": "Quito",
    "country": "EC",
    "origin_country": "VE",
    "languages": "Spanish",
    "consent": "y",
}
CRAFT = {
    "shop_name": "Barro Vivo",
    "slug": "",
    "craft": "Ceramics",
    "tagline": "Pots from Quito",
    "story": "## My story\n\nI came with my hands.",
    "story_url": "",
}


@pytest.fixture
def applicant(db, app):
    user = factories.user(name="Marisol Rojas")
    db.session.commit()
    client = app.test_client()
    login(client, user.email)
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    return user, client


def _step(client, page, data=None, **kwargs):
    return post_form(client, f"/workshop/apply/{page}", {"go": "next", **(data or {})}, **kwargs)


def _draft(db, user) -> ApplicationDraft | None:
    db.session.expire_all()
    return db.session.scalar(select(ApplicationDraft).where(ApplicationDraft.user_id == user.id))


def test_apply_starts_at_step_one_and_shows_progress(applicant, db):
    user, client = applicant
    assert client.get("/workshop/apply").headers["Location"] == "/workshop/apply/about"
    html = client.get("/workshop/apply/about").get_data(as_text=True)
    assert "Step 1 of 5" in html and 'aria-current="step"' in html
    assert "Review and send" in html
    assert _draft(db, user) is None  # a GET writes nothing
    # Skipping ahead is not possible: the first unfinished step is where you are sent.
    assert client.get("/workshop/apply/review").headers["Location"] == "/workshop/apply/about"


def test_each_step_validates_and_rerenders_with_errors(applicant, db):
    user, client = applicant
    response = _step(client, "about", {**ABOUT, "consent": "", "city": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "We can only publish your story with your consent." in html
    assert 'value="Marisol"' in html  # what was typed stays
    assert _draft(db, user) is None
    assert _step(client, "about", ABOUT).headers["Location"] == "/workshop/apply/craft"
    response = _step(client, "craft", {**CRAFT, "story": "x" * 20001})
    assert response.status_code == 422
    assert "at most 20,000 characters" in response.get_data(as_text=True)
    assert _draft(db, user).steps_done == ["about"]


def test_a_taken_name_is_refused_on_its_step_by_the_service_rule(applicant, db):
    _user, client = applicant
    factories.artisan(shop_name="Barro Vivo")
    db.session.commit()
    _step(client, "about", ABOUT)
    response = _step(client, "craft", CRAFT)
    assert response.status_code == 422
    assert "Another workshop already uses this name" in response.get_data(as_text=True)


def test_stop_and_resume_at_the_first_unfinished_step(applicant, db, app):
    user, client = applicant
    _step(client, "about", ABOUT)
    _step(client, "craft", CRAFT)
    # A new session (log out, log back in on another device) resumes at the photos.
    other = app.test_client()
    login(other, user.email)
    assert other.get("/workshop/apply").headers["Location"] == "/workshop/apply/photos"
    html = other.get("/workshop/apply/craft").get_data(as_text=True)
    assert 'value="Barro Vivo"' in html


def test_back_keeps_what_was_typed_without_finishing_the_step(applicant, db):
    user, client = applicant
    _step(client, "about", ABOUT)
    response = post_form(
        client, "/workshop/apply/craft", {**CRAFT, "shop_name": "", "craft": "Glass", "go": "back"}
    )
    assert response.headers["Location"] == "/workshop/apply/about"
    draft = _draft(db, user)
    assert draft.answers["craft"] == "Glass" and "craft" not in draft.steps_done
    # Unvalidated text kept by "back" is bounded like the longest field.
    post_form(client, "/workshop/apply/craft", {**CRAFT, "story": "x" * 30_000, "go": "back"})
    assert len(_draft(db, user).answers["story"]) == 20_000


def test_goals_ask_statements_only_for_those_chosen(applicant, db):
    user, client = applicant
    _step(client, "about", ABOUT)
    _step(client, "craft", CRAFT)
    assert _step(client, "photos").headers["Location"] == "/workshop/apply/goals"
    html = client.get("/workshop/apply/goals").get_data(as_text=True)
    assert html.count('type="checkbox" name="goals"') == 40
    assert 'class="goal-code goal-sdg-8"' in html
    response = _step(client, "goals", {"goals": ["sdg-8", "gcm-19"]})
    assert response.headers["Location"] == "/workshop/apply/statements"
    html = client.get("/workshop/apply/statements").get_data(as_text=True)
    assert html.count('type="text"') == 2
    assert "SDG 8 · " in html and "GCM 19 · " in html and "SDG 1 · " not in html
    assert _step(client, "goals", {"goals": ["sdg-99"]}).status_code == 422  # not a goal
    _step(client, "goals", {"goals": ["sdg-8", "gcm-19"]})
    response = _step(client, "statements", {"sdg-8": "x" * 201, "gcm-19": ""})
    assert response.status_code == 422
    _step(client, "statements", {"sdg-8": "My workshop employs me", "gcm-19": ""})
    assert _draft(db, user).answers["statements"] == {
        "sdg-8": "My workshop employs me",
        "gcm-19": "",
    }
    assert client.get("/workshop/apply").headers["Location"] == "/workshop/apply/review"


def test_no_goals_skips_the_statements(applicant, db):
    _user, client = applicant
    _step(client, "about", ABOUT)
    _step(client, "craft", CRAFT)
    _step(client, "photos")
    assert _step(client, "goals").headers["Location"] == "/workshop/apply/review"
    assert client.get("/workshop/apply/statements").headers["Location"] == "/workshop/apply/goals"
    assert client.get("/workshop/apply/nowhere").status_code == 404
    assert 'href="/workshop/apply/goals">' in client.get("/workshop/apply/review").get_data(
        as_text=True
    )


def _through_goals(client):
    _step(client, "about", ABOUT)
    _step(client, "craft", CRAFT)
    _step(
        client,
        "photos",
        {"profile_photo": (io.BytesIO(jpeg_bytes((600, 600))), "me.jpg")},
        content_type="multipart/form-data",
    )
    _step(client, "goals", {"goals": ["sdg-8"]})
    _step(client, "statements", {"sdg-8": "My workshop employs me"})


def test_review_sends_the_application_for_admin_review(applicant, db, outbox):
    user, client = applicant
    admin = factories.user(is_admin=True)
    db.session.commit()
    _through_goals(client)
    html = client.get("/workshop/apply/review").get_data(as_text=True)
    assert "Barro Vivo" in html and "My workshop employs me" in html and "1 photo" in html
    assert post_form(client, "/workshop/apply/review").headers["Location"] == "/workshop"
    db.session.expire_all()
    artisan = db.session.scalar(select(Artisan).where(Artisan.user_id == user.id))
    assert artisan.status == ArtisanStatus.PENDING and artisan.has_consent
    assert artisan.slug == "barro-vivo" and artisan.origin_country == "VE"
    assert [(g.kind, g.number, g.statement) for g in artisan.goals] == [
        ("sdg", 8, "My workshop employs me")
    ]
    assert artisan.profile_image is not None
    assert _draft(db, user) is None
    assert outbox.to(admin.email)  # the admins hear of it, as from any application
    assert client.get("/workshop/apply").headers["Location"] == "/workshop"


def test_someone_elses_photo_is_never_attached(applicant, db):
    user, client = applicant
    other = factories.user()
    db.session.commit()
    _through_goals(client)
    draft = _draft(db, user)
    with client.application.test_request_context():
        stolen = save_image(jpeg_bytes((300, 300)), other.id)
    draft.answers = {**draft.answers, "profile_image_id": stolen.id}
    db.session.commit()
    post_form(client, "/workshop/apply/review")
    db.session.expire_all()
    artisan = db.session.scalar(select(Artisan).where(Artisan.user_id == user.id))
    assert artisan.profile_image_id != stolen.id


def test_changes_requested_resubmits_through_the_same_steps(db, app):
    artisan = factories.artisan(status="changes_requested", shop_name="Hilos", story="Old story")
    artisan.status_reason = "Tell us more about your craft."
    db.session.commit()
    client = app.test_client()
    login(client, artisan.user.email)
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    assert client.get("/workshop/apply").headers["Location"] == "/workshop/apply/about"
    html = client.get("/workshop/apply/about").get_data(as_text=True)
    assert "Tell us more about your craft." in html and 'name="consent"' not in html
    assert f'value="{artisan.first_name}"' in html  # started from what was sent
    data = {**ABOUT}
    data.pop("consent")
    _step(client, "about", data)
    _step(client, "craft", {**CRAFT, "shop_name": "Hilos", "story": "A longer story now."})
    _step(client, "photos")
    _step(client, "goals")
    assert "Send for review again" in client.get("/workshop/apply/review").get_data(as_text=True)
    post_form(client, "/workshop/apply/review")
    db.session.expire_all()
    artisan = db.session.get(Artisan, artisan.id)
    assert artisan.status == ArtisanStatus.PENDING and artisan.story == "A longer story now."


def test_an_approved_or_pending_workshop_has_nothing_to_apply_for(db, app):
    for status in ("approved", "pending"):
        artisan = factories.artisan(status=status)
        db.session.commit()
        client = app.test_client()
        login(client, artisan.user.email)
        assert client.get("/workshop/apply/about").headers["Location"] == "/workshop"
        assert _step(client, "about", ABOUT).headers["Location"] == "/workshop"


def test_the_profile_asks_statements_only_for_chosen_goals(db, app):
    artisan = factories.artisan(status="approved")
    assert [(g.kind, g.number) for g in artisan.goals] == [("sdg", 8)]
    db.session.commit()
    client = app.test_client()
    login(client, artisan.user.email)
    html = client.get("/workshop/profile").get_data(as_text=True)
    assert len(re.findall(r'<input [^>]*id="goal_(sdg|gcm)_\d+" [^>]*type="checkbox"', html)) == 40
    assert 'name="goal_sdg_8_statement"' in html
    assert 'name="goal_sdg_9_statement"' not in html and 'name="goal_gcm_1_statement"' not in html


def test_the_story_says_which_language_it_is_written_in(applicant, db, app):
    user, client = applicant
    _step(client, "about", ABOUT)
    refused = _step(client, "craft", {**CRAFT, "profile_language": "fr"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    _step(client, "craft", {**CRAFT, "profile_language": "en"})
    _step(client, "photos")
    _step(client, "goals")
    review = client.get("/workshop/apply/review").get_data(as_text=True)
    assert '<dd class="col-sm-8" lang="en">Pots from Quito</dd>' in review
    assert post_form(client, "/workshop/apply/review").status_code == 302
    db.session.expire_all()
    artisan = db.session.scalar(select(Artisan).where(Artisan.user_id == user.id))
    assert artisan.profile_language == "en"
    # Once public, a Spanish page marks the English story and tagline as English.
    artisan.status, artisan.approved_at = ArtisanStatus.APPROVED, artisan.submitted_at
    db.session.commit()
    page = app.test_client().get(f"/artisans/{artisan.slug}").get_data(as_text=True)
    assert '<html lang="es"' in page
    assert '<p class="lead" lang="en">Pots from Quito</p>' in page
    assert '<div class="story" lang="en">' in page
    # Editing the profile can change it back.
    form = client.get("/workshop/profile").get_data(as_text=True)
    assert re.search(r'<input [^>]*checked[^>]*value="en"|value="en"[^>]*checked', form)
