"""Conversation pages: the customer's (/account/messages), the artisan's (/workshop/messages),
starting one from a listing or an order, and the admins' audited reading."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from shop.artisans.models import Artisan
from shop.catalog.models import Product
from shop.classes.models import Class
from shop.core.errors import DomainError, ValidationFailed
from shop.core.images import ImageRejected
from shop.core.inputs import page_arg
from shop.core.security import admin_required
from shop.core.views import perform, unit_of_work
from shop.extensions import db, limiter
from shop.media.services import save_image
from shop.messages import queries, services
from shop.messages.forms import MessageForm, ReadForm
from shop.messages.models import Conversation
from shop.messages.services import Side
from shop.orders.models import OrderGroup, OrderLine
from shop.reviews.forms import ReportForm

bp = Blueprint("messages", __name__)

# Per account, whatever the address: changeable in the config (e.g. tests, a busy market).
DEFAULT_MESSAGE_LIMIT = "60 per hour"
DEFAULT_CONVERSATION_LIMIT = "10 per day"
QUESTION_KINDS = {"product": Product, "class": Class, "artisan": Artisan}


def _message_limit() -> str:
    return current_app.config.get("MESSAGE_RATE_LIMIT", DEFAULT_MESSAGE_LIMIT)


def _conversation_limit() -> str:
    return current_app.config.get("CONVERSATION_RATE_LIMIT", DEFAULT_CONVERSATION_LIMIT)


def _account_key() -> str:
    return f"messages:{current_user.id}" if current_user.is_authenticated else "messages:anon"


@bp.after_request
def never_cache(response):
    """Every page here is someone's private correspondence."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global("unread_messages")
def unread_messages() -> int:
    """Messages waiting for the logged-in account (the header's badge)."""
    if not current_user.is_authenticated:
        return 0
    try:
        return queries.unread_count(current_user)
    except (
        SQLAlchemyError
    ):  # a header badge never turns a page (an error page above all) into a 500
        current_app.logger.exception("unread count unavailable")
        return 0


# Lists


@bp.route("/account/messages")
@login_required
def inbox():
    return render_template(
        "messages/list.html", rows=queries.for_customer(current_user), side=Side.CUSTOMER
    )


@bp.route("/workshop/messages")
@login_required
def workshop_inbox():
    if current_user.artisan is None:
        abort(404)
    return render_template(
        "messages/list.html", rows=queries.for_artisan(current_user.artisan), side=Side.ARTISAN
    )


# One conversation, from either side


def _stored_image(form: MessageForm):
    upload = form.image.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return save_image(upload.read(), current_user.id, alt="")
    except ImageRejected as error:
        raise ValidationFailed(str(error), field="image") from None


def _conversation_for(conversation_id: int, side: Side | None = None) -> Conversation:
    """The conversation if the current user is one of its sides (this `side`, when given);
    404 for everyone else."""
    conversation = db.session.get(Conversation, conversation_id)
    mine = services.side_of(conversation, current_user) if conversation is not None else None
    if mine is None or (side is not None and mine != side):
        abort(404)
    return conversation


def _page(side: Side, conversation_id: int):
    conversation = _conversation_for(conversation_id, side)
    form = MessageForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.send(
                conversation,
                current_user,
                form.body.data or "",
                _stored_image(form),
                form.client_token.data,
            )
        if work:
            return redirect(request.path + "#latest")
        conversation = _conversation_for(conversation_id, side)
    return render_template(
        "messages/conversation.html",
        conversation=conversation,
        side=side,
        form=form,
        read_form=ReadForm(formdata=None),
        report_form=ReportForm(formdata=None),
    ), (422 if form.errors else 200)


@bp.route("/account/messages/<int:conversation_id>", methods=["GET", "POST"])
@login_required
@limiter.limit(_message_limit, key_func=_account_key, methods=["POST"])
def conversation(conversation_id: int):
    return _page(Side.CUSTOMER, conversation_id)


@bp.route("/workshop/messages/<int:conversation_id>", methods=["GET", "POST"])
@login_required
@limiter.limit(_message_limit, key_func=_account_key, methods=["POST"])
def workshop_conversation(conversation_id: int):
    return _page(Side.ARTISAN, conversation_id)


def _url_of(conversation: Conversation) -> str:
    side = services.side_of(conversation, current_user)
    endpoint = (
        "messages.conversation" if side == Side.CUSTOMER else "messages.workshop_conversation"
    )
    return url_for(endpoint, conversation_id=conversation.id)


@bp.route("/messages/<int:conversation_id>/read", methods=["POST"])
@login_required
def mark_read(conversation_id: int):
    conversation = _conversation_for(conversation_id)
    form = ReadForm()
    if form.validate_on_submit():
        perform(lambda: services.mark_read(conversation, current_user, form.up_to.data))
    if request.accept_mimetypes.best == "application/json":
        return {"ok": True}
    return redirect(_url_of(conversation))


@bp.route("/messages/<int:conversation_id>/report", methods=["POST"])
@login_required
def report(conversation_id: int):
    conversation = _conversation_for(conversation_id)
    form = ReportForm()
    if form.validate_on_submit():
        perform(
            lambda: services.report(conversation, current_user, form.reason.data),
            success=_("Thank you: an admin may now read this conversation to help."),
        )
    else:
        flash(_("Tell us what is wrong."), "danger")
    return redirect(_url_of(conversation))


# Starting one: a question before buying, or about an order or a booking


def _subject(kind: str, target_id: int):
    """The listing, order group or booking a new conversation is about (404 if unknown)."""
    if kind in QUESTION_KINDS:
        target = db.session.get(QUESTION_KINDS[kind], target_id)
    elif kind == "order":
        target = db.session.get(OrderGroup, target_id)
    elif kind == "booking":
        target = db.session.get(OrderLine, target_id)
    else:
        target = None
    if target is None:
        abort(404)
    return target


def _open(kind: str, target):
    """Find or start the conversation (refusals are domain errors)."""
    if kind in QUESTION_KINDS:
        return services.ask(current_user, target)
    if kind == "order":
        return services.about_order(target, current_user)
    return services.about_booking(target, current_user)


def _existing(kind: str, target) -> Conversation | None:
    if kind in QUESTION_KINDS:
        return services.find(services.question_topic(current_user, target)[0])
    if kind == "order":
        return services.find(services.order_topic(target))
    return services.find(services.booking_topic(target))


def _start(kind: str, target_id: int):
    target = _subject(kind, target_id)
    try:
        if kind in QUESTION_KINDS:
            services.check_may_ask(current_user, target)
        else:
            services.check_order_party(target if kind == "order" else target.group, current_user)
    except DomainError as error:
        return render_template("messages/cannot_start.html", message=error.message), 403
    found = _existing(kind, target)
    if found is not None and services.side_of(found, current_user) is not None:
        return redirect(_url_of(found))
    form = MessageForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            started = _open(kind, target)
            services.send(
                started,
                current_user,
                form.body.data or "",
                _stored_image(form),
                form.client_token.data,
            )
        if work:
            flash(_("Message sent. You will get an e-mail when they answer."), "success")
            return redirect(_url_of(started))
    group = None if kind in QUESTION_KINDS else (target if kind == "order" else target.group)
    to_customer = group is not None and group.artisan.user_id == current_user.id
    return render_template(
        "messages/start.html", form=form, kind=kind, target=target, to_customer=to_customer
    ), (422 if form.errors else 200)


@bp.route("/messages/new/<kind>/<int:target_id>", methods=["GET", "POST"])
@login_required
@limiter.limit(_conversation_limit, key_func=_account_key, methods=["POST"])
def start(kind: str, target_id: int):
    return _start(kind, target_id)


@bp.route("/workshop/messages/new/<kind>/<int:target_id>", methods=["GET", "POST"])
@login_required
@limiter.limit(_conversation_limit, key_func=_account_key, methods=["POST"])
def workshop_start(kind: str, target_id: int):
    if kind not in ("order", "booking"):
        abort(404)  # artisans write first only about what was bought from them
    return _start(kind, target_id)


# The admins: only reported or disputed conversations, every reading audited


@bp.route("/admin/conversations")
@admin_required
def admin_queue():
    page = db.paginate(queries.admin_queue(), per_page=50, page=page_arg(), error_out=False)
    return render_template("messages/admin_queue.html", page=page, form=ReadForm(formdata=None))


@bp.route("/admin/conversations/<int:conversation_id>/read", methods=["POST"])
@admin_required
def admin_read(conversation_id: int):
    conversation = db.get_or_404(Conversation, conversation_id)
    if not ReadForm().validate_on_submit():
        abort(400)
    done = perform(lambda: services.admin_read(conversation, current_user))
    if not done:
        return redirect(url_for("messages.admin_queue"))
    return render_template(
        "messages/conversation.html",
        conversation=conversation,
        side=None,
        form=None,
        read_form=None,
        report_form=None,
    )
