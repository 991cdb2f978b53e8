"""Admin pages. Every route here is for administrators only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shop.admin import attention, history, lookup
from shop.artisans import services as artisan_services
from shop.artisans.forms import DECISION_LABELS, DecisionForm
from shop.artisans.models import Artisan, ArtisanEvent, ArtisanGoal, ArtisanStatus
from shop.core.forms import PostForm
from shop.core.inputs import page_arg
from shop.core.security import admin_required
from shop.core.views import unit_of_work
from shop.extensions import db
from shop.moderation.models import AuditEntry
from shop.orders import lifecycle
from shop.orders.forms import RefundForm, flash_refund, refund_confirmation
from shop.orders.models import Order, OrderEvent, OrderStatus
from shop.payments import refunds
from shop.payments.models import Refund

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def only_admins():
    """Guard the whole blueprint: anonymous users log in, others get 403."""


@bp.route("/")
def index():
    counts = {
        status: count
        for status, count in db.session.execute(
            select(Artisan.status, func.count(Artisan.id)).group_by(Artisan.status)
        )
    }
    return render_template(
        "admin/index.html",
        queues=attention.queues(),
        counts=counts,
        statuses=list(ArtisanStatus),
    )


@bp.route("/search")
def search():
    query = request.args.get("q", "").strip()[:100]
    found = lookup.search(query) if query else None
    return render_template("admin/search.html", q=query, found=found)


@bp.route("/artisans")
def artisans():
    raw = request.args.get("status", ArtisanStatus.PENDING.value)
    try:
        status = ArtisanStatus(raw)
    except ValueError:
        abort(404)
    query = (
        select(Artisan)
        .where(Artisan.status == status)
        .options(
            selectinload(Artisan.user),
            selectinload(Artisan.goals),
            selectinload(Artisan.profile_image),
        )
        .order_by(Artisan.submitted_at.asc(), Artisan.id.asc())  # oldest first
    )
    page = db.paginate(query, per_page=50, page=page_arg(), error_out=False)
    return render_template(
        "admin/artisans.html", page=page, status=status, statuses=list(ArtisanStatus)
    )


@bp.route("/artisans/<int:artisan_id>")
def review(artisan_id: int):
    artisan = db.get_or_404(Artisan, artisan_id)
    events = db.session.scalars(
        select(ArtisanEvent)
        .where(ArtisanEvent.artisan_id == artisan.id)
        .options(selectinload(ArtisanEvent.actor))
        .order_by(ArtisanEvent.created_at.desc(), ArtisanEvent.id.desc())
    ).all()
    actions = [
        action
        for action in artisan_services.ADMIN_DECISIONS
        if artisan_services.ARTISAN_STATES.allowed(artisan, action)
    ]
    return render_template(
        "admin/review.html",
        artisan=artisan,
        events=[history.artisan_sentence(e) for e in events],
        actions=actions,
        form=DecisionForm(),
        decision_labels=DECISION_LABELS,
        own=artisan.user_id == current_user.id,
    )


@bp.route("/artisans/<int:artisan_id>/decide", methods=["POST"])
def decide(artisan_id: int):
    artisan = db.get_or_404(Artisan, artisan_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose a decision."), "danger")
        return redirect(url_for("admin.review", artisan_id=artisan.id))
    with unit_of_work() as work:
        artisan_services.decide(artisan, current_user, form.action.data, form.reason.data)
    if not work:
        return redirect(url_for("admin.review", artisan_id=artisan.id))
    status = artisan.status.label
    flash(_("Saved: %(shop)s is now %(status)s.", shop=artisan.shop_name, status=status), "success")
    return redirect(url_for("admin.artisans"))


@bp.route("/goals/<int:goal_id>/verify", methods=["POST"])
def verify_goal(goal_id: int):
    goal = db.get_or_404(ArtisanGoal, goal_id)
    if PostForm().validate_on_submit():
        with unit_of_work() as work:
            artisan_services.verify_goal(goal, current_user, request.form.get("verified") == "1")
        if work:
            flash(_("Goal updated."), "success")
    return redirect(url_for("admin.review", artisan_id=goal.artisan_id))


@bp.route("/audit")
def audit():
    entries = db.paginate(
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()),
        per_page=50,
        page=page_arg(),
        error_out=False,
    )
    workshop_events = db.session.scalars(
        select(ArtisanEvent)
        .options(selectinload(ArtisanEvent.actor), selectinload(ArtisanEvent.artisan))
        .order_by(ArtisanEvent.created_at.desc(), ArtisanEvent.id.desc())
        .limit(100)
    ).all()
    return render_template(
        "admin/audit.html",
        page=entries,
        entries=[(e, history.audit_sentence(e)) for e in entries.items],
        workshop_events=[(e, history.artisan_sentence(e)) for e in workshop_events],
    )


@bp.route("/orders")
def orders():
    query = select(Order).options(selectinload(Order.lines)).order_by(Order.created_at.desc())
    status = request.args.get("status")
    if status == "review":
        query = query.where(Order.needs_review.is_(True))
    elif status in {s.value for s in OrderStatus}:
        query = query.where(Order.status == OrderStatus(status))
    page = db.paginate(query, per_page=50, page=page_arg(), error_out=False)
    return render_template(
        "admin/orders.html", page=page, status=status, statuses=list(OrderStatus)
    )


@bp.route("/orders/<int:order_id>")
def order(order_id: int):
    found = db.get_or_404(Order, order_id)
    events = db.session.scalars(
        select(OrderEvent)
        .where(OrderEvent.order_id == found.id)
        .options(selectinload(OrderEvent.actor))
        .order_by(OrderEvent.id.desc())
    ).all()
    refund_rows = refunds.refunds_of(found)
    return render_template(
        "admin/order.html",
        order=found,
        events=history.order_history(found, events, list(refund_rows)),
        refund_form=RefundForm(),
        refunds=refund_rows,
    )


@bp.route("/orders/<int:order_id>/refund", methods=["GET", "POST"])
def refund_order(order_id: int):
    """GET confirms what the refund will do; the POST from the confirmation sends it."""
    found = db.get_or_404(Order, order_id)
    back = url_for("admin.order", order_id=found.id)
    if request.method == "GET":
        return refund_confirmation(found, url_for("admin.refund_order", order_id=found.id), back)
    RefundForm().send(found, current_user)
    return redirect(back)


@bp.route("/refunds/<int:refund_id>/retry", methods=["POST"])
def retry_refund(refund_id: int):
    found = db.get_or_404(Refund, refund_id)
    order_id = found.order_id
    if PostForm().validate_on_submit():
        with unit_of_work() as work:
            refunds.retry(found, current_user)
        if work:
            flash_refund(found)
    return redirect(url_for("admin.order", order_id=order_id))


@bp.route("/orders/<int:order_id>/cancel", methods=["POST"])
def cancel_order(order_id: int):
    found = db.get_or_404(Order, order_id)
    if PostForm().validate_on_submit():
        with unit_of_work() as work:
            lifecycle.cancel_unpaid(found, current_user, "cancelled by an admin")
        if work:
            flash(_("Order cancelled; its items are back in stock."), "success")
    return redirect(url_for("admin.order", order_id=found.id))
