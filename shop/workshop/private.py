"""Requests for private sessions: the artisan sees them and accepts (a private session with
every seat held for the group, offered to the customer) or declines."""

from __future__ import annotations

from datetime import time

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from shop.core.forms import PostForm
from shop.core.views import unit_of_work
from shop.extensions import db
from shop.waitlist import private
from shop.waitlist.models import PrivateRequest
from shop.workshop.blueprint import bp, current_artisan
from shop.workshop.forms import AcceptPrivateForm


def _own_request(request_id: int) -> PrivateRequest:
    request = db.get_or_404(PrivateRequest, request_id)
    if request.class_.artisan_id != current_artisan().id:
        abort(404)
    return request


def _page(accept_form=None, failed_id: int | None = None, status: int = 200):
    form = AcceptPrivateForm(formdata=None)
    form.time.data = time(10, 0)
    return render_template(
        "workshop/private_requests.html",
        requests=private.requests_for_artisan(current_artisan().id),
        accept_form=form,
        failed_form=accept_form,
        failed_id=failed_id,
        form=PostForm(formdata=None),
    ), status


@bp.route("/private-requests")
def private_requests():
    return _page()


@bp.route("/private-requests/<int:request_id>/accept", methods=["POST"])
def accept_private(request_id: int):
    request = _own_request(request_id)
    form = AcceptPrivateForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            private.accept(request, form.time.data)
        if work:
            flash(
                _(
                    "Session scheduled and offered to %(name)s: every seat is held.",
                    name=request.name,
                ),
                "success",
            )
            return redirect(url_for("workshop.private_requests"))
    return _page(form, request_id, status=422)


@bp.route("/private-requests/<int:request_id>/decline", methods=["POST"])
def decline_private(request_id: int):
    request = _own_request(request_id)
    if PostForm().validate_on_submit():
        with unit_of_work() as work:
            private.decline(request)
        if work:
            flash(_("Request declined."), "info")
    return redirect(url_for("workshop.private_requests"))
