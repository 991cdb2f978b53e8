"""Artisan rules: status transitions, consent, slugs, goals and their verification."""

from __future__ import annotations

import pytest

from shop.artisans import services
from shop.artisans.models import Artisan, ArtisanEvent, ArtisanStatus
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from tests import factories

S = ArtisanStatus
ALL = list(S)


def application(**overrides) -> services.ApplicationData:
    data = dict(
        shop_name="Barro Vivo",
        first_name="Marisol",
        craft="Ceramics",
        city="Quito",
        country="EC",
        story="My story",
        consent=True,
        goals={("sdg", 8): "Decent work in my workshop", ("gcm", 19): ""},
    )
    data.update(overrides)
    return services.ApplicationData(**data)


@pytest.fixture
def admin_user(db):
    return factories.user(is_admin=True)


@pytest.fixture
def applicant(db):
    return factories.user(name="Marisol Rojas")


def test_apply_creates_pending_application_with_goals_and_log(
    db, applicant, admin_user, app, outbox
):
    with app.test_request_context():
        artisan = services.apply(applicant, application())
        db.session.commit()
    assert artisan.status == S.PENDING
    assert artisan.slug == "barro-vivo"
    assert {(g.kind, g.number) for g in artisan.goals} == {("sdg", 8), ("gcm", 19)}
    assert artisan.has_consent and not artisan.is_public
    events = db.session.query(ArtisanEvent).all()
    assert [e.action for e in events] == ["apply"]
    assert outbox.to(admin_user.email), "admins are told about new applications"


def test_apply_needs_consent(db, applicant):
    with pytest.raises(ValidationFailed) as error:
        services.apply(applicant, application(consent=False))
    assert error.value.field == "consent"


def test_one_workshop_per_account(db, applicant, app):
    with app.test_request_context():
        services.apply(applicant, application())
        with pytest.raises(NotAllowed):
            services.apply(applicant, application(shop_name="Another"))


def test_shop_name_unique_ignoring_case(db, app):
    with app.test_request_context():
        services.apply(factories.user(), application())
        with pytest.raises(ValidationFailed) as error:
            services.apply(factories.user(), application(shop_name="BARRO VIVO", slug="other"))
    assert error.value.field == "shop_name"


def test_slug_collision_suggests_a_free_one(db, app):
    with app.test_request_context():
        services.apply(factories.user(), application())
        with pytest.raises(ValidationFailed) as error:
            services.apply(
                factories.user(), application(shop_name="Barro Nuevo", slug="barro-vivo")
            )
    assert error.value.field == "slug"
    assert "barro-vivo-2" in error.value.message


def test_slugify_and_reserved_slugs(db):
    assert services.slugify("  Cerámica Añañuca & Co. ") == "ceramica-ananuca-co"
    assert services.suggest_slug("Admin") == "admin-2"
    assert services.slugify("!!!") == ""


def test_unknown_goal_is_refused(db, applicant, app):
    with app.test_request_context(), pytest.raises(ValidationFailed):
        services.apply(applicant, application(goals={("sdg", 18): ""}))


ALLOWED = {
    ("approve", S.PENDING): S.APPROVED,
    ("reject", S.PENDING): S.REJECTED,
    ("reject", S.CHANGES_REQUESTED): S.REJECTED,
    ("request_changes", S.PENDING): S.CHANGES_REQUESTED,
    ("suspend", S.APPROVED): S.SUSPENDED,
    ("reinstate", S.SUSPENDED): S.APPROVED,
}


@pytest.mark.parametrize("action", sorted(services.ADMIN_DECISIONS))
@pytest.mark.parametrize("start", ALL, ids=[s.value for s in ALL])
def test_every_admin_transition(db, app, admin_user, outbox, action, start):
    artisan = factories.artisan(status=start.value)
    db.session.commit()
    with app.test_request_context():
        if (action, start) in ALLOWED:
            services.decide(artisan, admin_user, action, "Because of reasons")
            db.session.commit()
            assert artisan.status == ALLOWED[(action, start)]
            event = db.session.query(ArtisanEvent).one()
            assert (event.action, event.from_status, event.to_status, event.actor_id) == (
                action,
                start.value,
                artisan.status.value,
                admin_user.id,
            )
            assert len(outbox.to(artisan.user.email)) == 1
        else:
            with pytest.raises(InvalidTransition):
                services.decide(artisan, admin_user, action, "Because of reasons")
            db.session.rollback()
            assert db.session.get(Artisan, artisan.id).status == start
            assert outbox.messages() == []


@pytest.mark.parametrize("action", ["reject", "request_changes", "suspend"])
def test_reason_required(db, admin_user, action):
    artisan = factories.artisan(status="approved" if action == "suspend" else "pending")
    with pytest.raises(ValidationFailed) as error:
        services.decide(artisan, admin_user, action, "   ")
    assert error.value.field == "reason"


def test_nobody_decides_on_their_own_workshop(db, admin_user):
    artisan = factories.artisan(user_account=admin_user, status="pending")
    with pytest.raises(NotAllowed):
        services.decide(artisan, admin_user, "approve")
    assert artisan.status == S.PENDING


def test_non_admin_cannot_decide(db):
    artisan = factories.artisan(status="pending")
    with pytest.raises(NotAllowed):
        services.decide(artisan, factories.user(), "approve")


@pytest.mark.parametrize("start", ALL, ids=[s.value for s in ALL])
def test_resubmit(db, start):
    artisan = factories.artisan(status=start.value)
    if start in (S.REJECTED, S.CHANGES_REQUESTED):
        services.resubmit(artisan, artisan.user)
        assert artisan.status == S.PENDING
    else:
        with pytest.raises(InvalidTransition):
            services.resubmit(artisan, artisan.user)
        assert artisan.status == start


def test_only_the_owner_resubmits(db):
    artisan = factories.artisan(status="rejected")
    with pytest.raises(NotAllowed):
        services.resubmit(artisan, factories.user())


def test_withdrawing_consent_hides_at_once_and_can_be_given_again(db):
    artisan = factories.artisan(status="approved")
    db.session.commit()
    assert db.session.scalar(Artisan.select_public().where(Artisan.id == artisan.id))
    services.withdraw_consent(artisan, artisan.user)
    db.session.commit()
    assert not artisan.is_public
    assert db.session.scalar(Artisan.select_public().where(Artisan.id == artisan.id)) is None
    services.give_consent(artisan, artisan.user)
    assert artisan.is_public


def test_suspended_workshop_cannot_be_edited(db, app):
    artisan = factories.artisan(status="suspended")
    with app.test_request_context(), pytest.raises(NotAllowed):
        services.update(artisan, application(shop_name=artisan.shop_name, slug=artisan.slug))


def test_verify_goal_and_changed_statement_needs_verifying_again(db, app, admin_user):
    artisan = factories.artisan(goals={("sdg", 8): "Decent work"})
    goal = artisan.goals[0]
    services.verify_goal(goal, admin_user, True)
    assert goal.is_verified and goal.verified_by_id == admin_user.id
    with app.test_request_context():
        services.update(
            artisan,
            application(
                shop_name=artisan.shop_name, slug=artisan.slug, goals={("sdg", 8): "Decent work"}
            ),
        )
        assert goal.is_verified, "unchanged statement keeps its verification"
        services.update(
            artisan,
            application(
                shop_name=artisan.shop_name, slug=artisan.slug, goals={("sdg", 8): "Something new"}
            ),
        )
    assert not goal.is_verified


def test_admin_cannot_verify_own_goals(db, admin_user):
    artisan = factories.artisan(user_account=admin_user)
    with pytest.raises(NotAllowed):
        services.verify_goal(artisan.goals[0], admin_user, True)


def test_public_filters(db):
    quito = factories.artisan(craft="Ceramics", city="Quito", goals={("sdg", 8): ""})
    factories.artisan(craft="Textiles", city="Cuenca", goals={("gcm", 19): ""})
    factories.artisan(status="pending", craft="Ceramics", city="Quito")
    factories.artisan(status="suspended", craft="Ceramics", city="Quito")
    factories.artisan(consent=False, craft="Ceramics", city="Quito")
    db.session.commit()
    query = services.public_artisans(craft="ceramics", city="QUITO")
    found = db.session.scalars(query).unique().all()
    assert [a.id for a in found] == [quito.id]
    by_goal = db.session.scalars(services.public_artisans(goal=("gcm", 19))).unique().all()
    assert [a.craft for a in by_goal] == ["Textiles"]
    assert services.goal_counts() == {("sdg", 8): 1, ("gcm", 19): 1}
    assert services.public_facets() == {
        "crafts": ["Ceramics", "Textiles"],
        "cities": ["Cuenca", "Quito"],
    }
