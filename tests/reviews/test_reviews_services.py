"""Who may review what and when; averages from three reviews on; hidden and suspended never
count; one reply; edits for 48 hours; reports and moderation; the invitation e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.artisans.models import ArtisanEvent, ArtisanStatus
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.time import utcnow
from shop.reviews import invitations, queries, services
from shop.reviews.models import Review, ReviewInvitation, ReviewStatus
from shop.reviews.services import ReviewData
from tests import factories


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def buyer(db):
    return factories.user(name="Lucía Fernández Soto")


def test_a_completed_purchase_can_be_reviewed_once(db, ctx, buyer):
    line = factories.completed_purchase(buyer, factories.product())
    review = services.write_review(line, buyer, ReviewData(4, "  Preciosa taza.  "))
    assert (review.rating, review.body, review.status) == (
        4,
        "Preciosa taza.",
        ReviewStatus.PUBLISHED,
    )
    assert review.product_id == line.product_id and review.class_id is None
    with pytest.raises(ValidationFailed, match="Ya opinaste"):
        services.write_review(line, buyer, ReviewData(5, "otra vez"))
    assert db.session.query(Review).count() == 1


def test_an_attended_class_can_be_reviewed(db, ctx, buyer):
    klass = factories.class_()
    line = factories.attended_booking(buyer, klass)
    review = services.write_review(line, buyer, ReviewData(5, ""))
    assert review.class_id == klass.id and review.product_id is None


def test_nobody_reviews_without_their_own_purchase(db, ctx, buyer):
    line = factories.completed_purchase(buyer, factories.product())
    stranger = factories.user()
    with pytest.raises(NotAllowed):
        services.write_review(line, stranger, ReviewData(1, "never bought it"))
    guest_line = factories.paid_order([(factories.product(), 1)]).lines[0]  # no account
    with pytest.raises(NotAllowed):
        services.write_review(guest_line, buyer, ReviewData(1, "not mine"))


def test_not_before_the_group_is_completed_or_the_session_has_ended(db, ctx, buyer):
    item = factories.product()
    paid = factories.paid_order([(item, 1)], user_id=buyer.id, email=buyer.email)
    with pytest.raises(ValidationFailed, match="completado"):
        services.check_may_review(paid.lines[0], buyer)
    running = factories.attended_booking(buyer, ended_ago=timedelta(minutes=-30))  # still on
    with pytest.raises(ValidationFailed, match="completado"):
        services.check_may_review(running, buyer)
    unpaid = factories.order([(item, 1)], user_id=buyer.id, email=buyer.email)
    with pytest.raises(ValidationFailed):
        services.check_may_review(unpaid.lines[0], buyer)


def test_not_after_the_sixty_day_window(db, ctx, buyer):
    old = factories.completed_purchase(
        buyer, factories.product(), completed_at=utcnow() - timedelta(days=61)
    )
    with pytest.raises(ValidationFailed, match="60"):
        services.write_review(old, buyer, ReviewData(5, "tarde"))
    edge = factories.completed_purchase(
        buyer, factories.product(), completed_at=utcnow() - timedelta(days=59)
    )
    assert services.write_review(edge, buyer, ReviewData(5, "a tiempo")).id
    long_ago = factories.attended_booking(buyer, ended_ago=timedelta(days=61))
    with pytest.raises(ValidationFailed, match="60"):
        services.check_may_review(long_ago, buyer)


def test_a_cancelled_booking_or_a_refunded_line_cannot_be_reviewed(db, ctx, buyer):
    line = factories.attended_booking(buyer)
    line.cancelled_at = utcnow()
    with pytest.raises(ValidationFailed):
        services.check_may_review(line, buyer)
    refunded = factories.completed_purchase(buyer, factories.product())
    refunded.refunded_cents = refunded.total_cents
    with pytest.raises(ValidationFailed):
        services.check_may_review(refunded, buyer)


def test_stars_must_be_one_to_five_and_text_is_length_limited(db, ctx, buyer):
    line = factories.completed_purchase(buyer, factories.product())
    for rating in (0, 6, -1):
        with pytest.raises(ValidationFailed) as error:
            services.write_review(line, buyer, ReviewData(rating, "x"))
        assert error.value.field == "rating"
    with pytest.raises(ValidationFailed) as error:
        services.write_review(line, buyer, ReviewData(5, "x" * 2001))
    assert error.value.field == "body"


def _reviews(count, artisan=None, ratings=None, klass=False):
    """`count` reviews by different buyers of one product (or class) of one artisan."""
    artisan = artisan or factories.artisan()
    listing = factories.class_(artisan_workshop=artisan) if klass else None
    item = None if klass else factories.product(artisan_workshop=artisan, stock=50)
    written = []
    for index in range(count):
        buyer = factories.user(name=f"Buyer{index} Surname")
        line = (
            factories.attended_booking(buyer, listing)
            if klass
            else factories.completed_purchase(buyer, item)
        )
        rating = ratings[index] if ratings else 5
        written.append(factories.review(line, rating=rating, body=f"review {index}"))
    return artisan, (listing or item), written


def test_average_and_count_only_from_three_reviews_on(db, ctx):
    artisan, item, _written = _reviews(2, ratings=[5, 4])
    two = queries.summary(product_id=item.id)
    assert (two.count, two.average, two.shown) == (2, None, False)
    buyer = factories.user(name="Third Buyer")
    factories.review(factories.completed_purchase(buyer, item), rating=4)
    three = queries.summary(product_id=item.id)
    assert (three.count, str(three.average), three.shown) == (3, "4.3", True)
    assert queries.summary(artisan_id=artisan.id).count == 3


def test_newest_first_and_class_reviews_apart_from_products(db, ctx):
    _artisan, klass, written = _reviews(3, klass=True, ratings=[3, 4, 5])
    written[0].created_at = utcnow() - timedelta(days=3)
    written[1].created_at = utcnow() - timedelta(days=1)
    written[2].created_at = utcnow() - timedelta(days=2)
    db.session.flush()
    assert [r.id for r in queries.latest(class_id=klass.id)] == [
        written[1].id,
        written[2].id,
        written[0].id,
    ]
    assert str(queries.summary(class_id=klass.id).average) == "4.0"
    assert queries.summary(product_id=-1).count == 0


def test_hidden_reviews_are_never_shown_or_counted(db, ctx):
    admin = factories.user(is_admin=True)
    artisan, item, written = _reviews(3, ratings=[1, 5, 5])
    services.moderate(written[0], admin, "hide", "Insults the artisan.")
    summary = queries.summary(product_id=item.id)
    assert (summary.count, summary.shown) == (2, False)
    assert written[0].id not in [r.id for r in queries.latest(product_id=item.id)]
    assert written[0].id not in [r.id for r in queries.latest(artisan_id=artisan.id)]
    services.moderate(written[0], admin, "restore", "The artisan agreed it was fair.")
    assert queries.summary(product_id=item.id).count == 3


def test_a_suspended_artisans_reviews_disappear_with_the_shop(db, ctx):
    artisan, item, _ = _reviews(3)
    artisan.status = ArtisanStatus.SUSPENDED
    db.session.flush()
    assert queries.summary(artisan_id=artisan.id).count == 0
    assert queries.latest(product_id=item.id) == []


def test_the_artisan_replies_once_and_only_to_their_own(db, ctx):
    artisan, _item, written = _reviews(1)
    other = factories.artisan()
    with pytest.raises(NotAllowed):
        services.reply(written[0], other.user, "not my review")
    services.reply(written[0], artisan.user, "¡Gracias, Lucía!")
    assert written[0].reply == "¡Gracias, Lucía!" and written[0].replied_at is not None
    with pytest.raises(InvalidTransition):
        services.reply(written[0], artisan.user, "second answer")
    assert written[0].reply == "¡Gracias, Lucía!"


def test_the_author_edits_within_48_hours_only(db, ctx, buyer):
    review = factories.review(factories.completed_purchase(buyer, factories.product()), rating=2)
    services.edit_review(review, buyer, ReviewData(4, "Better after all"))
    assert (review.rating, review.body) == (4, "Better after all") and review.edited_at
    with pytest.raises(NotAllowed):
        services.edit_review(review, factories.user(), ReviewData(1, "hijack"))
    review.created_at = utcnow() - timedelta(hours=49)
    with pytest.raises(ValidationFailed, match="48"):
        services.edit_review(review, buyer, ReviewData(1, "too late"))
    assert review.rating == 4


def test_reports_count_once_per_person_and_moderation_settles_them(db, ctx):
    admin = factories.user(is_admin=True)
    artisan, _item, written = _reviews(1)
    reporter = factories.user()
    first = services.report(written[0], reporter, "Spam")
    again = services.report(written[0], reporter, "Spam again")
    assert first.id == again.id
    with pytest.raises(NotAllowed):
        services.report(written[0], written[0].author, "my own")
    with pytest.raises(ValidationFailed):
        services.report(written[0], factories.user(), "   ")
    assert [r.id for r in db.session.scalars(queries.for_moderation())] == [written[0].id]
    services.moderate(written[0], admin, "hide", "Advertising")
    assert written[0].moderation_reason == "Advertising"
    db.session.refresh(first)
    assert first.resolved_at is not None
    event = db.session.query(ArtisanEvent).filter_by(action="review_hidden").one()
    assert (event.artisan_id, event.actor_id) == (artisan.id, admin.id)
    with pytest.raises(NotAllowed):
        services.moderate(written[0], reporter, "restore", "I am no admin")
    with pytest.raises(ValidationFailed):
        services.moderate(written[0], admin, "restore", "")
    with pytest.raises(InvalidTransition):
        services.moderate(written[0], admin, "hide", "twice")


def test_lines_to_review_lists_only_what_is_open(db, ctx, buyer):
    open_line = factories.completed_purchase(buyer, factories.product())
    class_line = factories.attended_booking(buyer)
    factories.completed_purchase(
        buyer, factories.product(), completed_at=utcnow() - timedelta(days=70)
    )
    factories.paid_order([(factories.product(), 1)], user_id=buyer.id, email=buyer.email)
    done = factories.completed_purchase(buyer, factories.product())
    factories.review(done)
    assert {line.id for line in queries.lines_to_review(buyer.id)} == {open_line.id, class_line.id}


def test_invitations_go_once_after_commit_with_a_signed_link(app, db, ctx, buyer, outbox):
    line = factories.completed_purchase(buyer, factories.product(title="Taza azul"))
    factories.attended_booking(buyer, ended_ago=timedelta(minutes=-10))  # not over yet
    db.session.commit()
    before = len(outbox.to(buyer.email))
    assert invitations.send_invitations() == 1
    assert len(outbox.to(buyer.email)) == before  # nothing leaves before the commit
    db.session.commit()
    mails = outbox.to(buyer.email)[before:]
    assert len(mails) == 1 and "Taza azul" in mails[0]["Subject"]
    token = outbox.body(mails[0]).split("/reviews/invite/")[1].split()[0]
    assert invitations.line_for_token(token) == line.id
    assert invitations.line_for_token(token[:-2] + "xx") is None
    assert invitations.send_invitations() == 0  # idempotent
    db.session.commit()
    assert db.session.query(ReviewInvitation).count() == 1


def test_a_rolled_back_invitation_run_sends_nothing(app, db, ctx, buyer, outbox):
    factories.completed_purchase(buyer, factories.product())
    db.session.commit()
    before = len(outbox.messages())
    assert invitations.send_invitations() == 1
    db.session.rollback()
    assert len(outbox.messages()) == before
    assert db.session.query(ReviewInvitation).count() == 0
