"""Review pages: the buyer's, the artisan's, the admins'; and the reviews block of listings."""

from __future__ import annotations

from babel.dates import format_skeleton
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.core.errors import DomainError, ValidationFailed
from shop.core.images import ImageRejected
from shop.core.inputs import page_arg
from shop.core.security import admin_required, is_safe_next
from shop.core.views import perform, unit_of_work
from shop.extensions import db
from shop.media.services import save_image
from shop.orders.models import OrderLine
from shop.reviews import invitations, queries, services
from shop.reviews.forms import ModerateForm, ReplyForm, ReportForm, ReviewForm
from shop.reviews.models import Review

bp = Blueprint("reviews", __name__)


@bp.after_request
def never_cache(response):
    """Every page here is someone's own (their reviews, their workshop, the admins')."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("review_month")
def review_month(value) -> str:
    """Month and year only: all the public learns of when someone wrote."""
    return format_skeleton("yMMMM", value, locale=str(get_locale()))


@bp.app_template_filter("rating_number")
def rating_number(value) -> str:
    """An average such as 4.3, written the reader's way ("4,3" in Spanish)."""
    return format_decimal(value, format="0.0")


@bp.app_template_global("reviews_for")
def reviews_for(**target: int) -> dict:
    """The reviews block of a product, class or workshop page (product_id=, class_id=,
    artisan_id=): the summary, the newest reviews and a report form for logged-in readers."""
    summary, items = queries.summary_and_latest(**target)
    return {
        "summary": summary,
        "items": items,
        "report_form": ReportForm() if current_user.is_authenticated else None,
    }


@bp.app_template_global("review_jsonld")
def review_jsonld(block: dict, schema_type: str, name: str, url: str) -> dict | None:
    """schema.org data for a listing: aggregateRating and review, once the average shows."""
    summary = block["summary"]
    if not summary.shown:
        return None
    return {
        "@context": "https://schema.org",
        "@type": schema_type,
        # The same node as the page's own block (shop/main/structured_data.py), read as one.
        "@id": f"{url}#{schema_type.lower()}",
        "name": name,
        "url": url,
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": str(summary.average),
            "reviewCount": summary.count,
            "bestRating": 5,
            "worstRating": 1,
        },
        "review": [
            {
                "@type": "Review",
                "author": {"@type": "Person", "name": review.author_first_name},
                "datePublished": review.created_at.strftime("%Y-%m"),
                "reviewBody": review.body,
                "inLanguage": review.locale,
                "reviewRating": {"@type": "Rating", "ratingValue": review.rating, "bestRating": 5},
            }
            for review in block["items"]
        ],
    }


def _stored_photo(form: ReviewForm, alt: str):
    upload = form.photo.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return save_image(upload.read(), current_user.id, alt=alt)
    except ImageRejected as error:
        raise ValidationFailed(str(error), field="photo") from None


def _data(form: ReviewForm, photo) -> services.ReviewData:
    return services.ReviewData(
        rating=form.rating.data,
        body=form.body.data or "",
        locale=str(get_locale()),
        photo=photo,
        remove_photo=bool(form.remove_photo.data),
    )


# The buyer


@bp.route("/reviews/invite/<token>")
def invitation(token: str):
    """The link in the invitation e-mail: on to the form (which checks the account)."""
    line_id = invitations.line_for_token(token)
    if line_id is None:
        abort(404)
    return redirect(url_for("reviews.write", line_id=line_id))


@bp.route("/account/reviews")
@login_required
def mine():
    return render_template(
        "reviews/mine.html",
        to_review=queries.lines_to_review(current_user.id),
        reviews=queries.reviews_by(current_user.id),
        may_edit=lambda review: services.may_edit(review, current_user),
    )


def _own_line(line_id: int) -> OrderLine:
    line = db.session.get(OrderLine, line_id)
    if line is None or line.order.user_id != current_user.id:
        abort(404)  # never confirm that someone else's order exists
    return line


@bp.route("/account/reviews/new/<int:line_id>", methods=["GET", "POST"])
@login_required
def write(line_id: int):
    line = _own_line(line_id)
    form = ReviewForm()
    try:
        services.check_may_review(line, current_user)
    except DomainError as error:  # not yet, not any more, or already written
        flash(error.message, "info")
        return redirect(url_for("reviews.mine"))
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.write_review(line, current_user, _data(form, _stored_photo(form, line.title)))
        if work:
            flash(_("Thank you: your review is published."), "success")
            return redirect(url_for("reviews.mine"))
    return render_template("reviews/write.html", form=form, line=line, review=None), (
        422 if form.errors else 200
    )


def _own_review(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or review.author_id != current_user.id:
        abort(404)
    return review


@bp.route("/account/reviews/<int:review_id>/edit", methods=["GET", "POST"])
@login_required
def edit(review_id: int):
    review = _own_review(review_id)
    if not services.may_edit(review, current_user):
        flash(_("A review can be changed for %(hours)d hours after writing it.", hours=48), "info")
        return redirect(url_for("reviews.mine"))
    form = ReviewForm(obj=review if request.method == "GET" else None)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            photo = _stored_photo(form, review.line.title)
            services.edit_review(review, current_user, _data(form, photo))
        if work:
            flash(_("Review saved."), "success")
            return redirect(url_for("reviews.mine"))
    return render_template("reviews/write.html", form=form, line=review.line, review=review), (
        422 if form.errors else 200
    )


@bp.route("/reviews/<int:review_id>/report", methods=["POST"])
@login_required
def report(review_id: int):
    review = db.session.get(Review, review_id)
    if review is None or not review.is_published:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        done = perform(lambda: services.report(review, current_user, form.reason.data))
        if done:
            flash(_("Thank you: an admin will look at this review."), "success")
    else:
        flash(_("Tell us what is wrong."), "danger")
    target = form.next.data
    return redirect(target if is_safe_next(target) else url_for("main.index"))


# The artisan


@bp.route("/workshop/reviews")
@login_required
def workshop():
    if current_user.artisan is None:
        abort(404)
    page = db.paginate(
        queries.reviews_of_artisan(current_user.artisan.id),
        per_page=30,
        page=page_arg(),
        error_out=False,
    )
    return render_template("reviews/workshop.html", page=page, form=ReplyForm())


@bp.route("/workshop/reviews/<int:review_id>/reply", methods=["POST"])
@login_required
def reply(review_id: int):
    review = db.session.get(Review, review_id)
    artisan = current_user.artisan
    if review is None or artisan is None or review.artisan_id != artisan.id:
        abort(404)
    form = ReplyForm()
    if form.validate_on_submit():
        perform(
            lambda: services.reply(review, current_user, form.reply.data),
            success=_("Your reply is published under the review."),
        )
    else:
        for error in form.reply.errors:
            flash(error, "danger")
    return redirect(url_for("reviews.workshop") + f"#review-{review.id}")


# The admins


@bp.route("/admin/reviews")
@admin_required
def moderation():
    page = db.paginate(queries.for_moderation(), per_page=50, page=page_arg(), error_out=False)
    return render_template("reviews/moderation.html", page=page, form=ModerateForm())


@bp.route("/admin/reviews/<int:review_id>/moderate", methods=["POST"])
@admin_required
def moderate(review_id: int):
    review = db.get_or_404(Review, review_id)
    form = ModerateForm()
    if form.validate_on_submit():
        perform(
            lambda: services.moderate(review, current_user, form.action.data, form.reason.data),
            success=_("Saved: the author sees your reason."),
        )
    else:
        flash(_("Give the reason the author will read."), "danger")
    return redirect(url_for("reviews.moderation"))
