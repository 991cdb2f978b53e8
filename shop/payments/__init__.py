"""Payments: the gateway interface, the offline demo gateway, payment confirmation."""

from flask import Blueprint

bp = Blueprint("payments", __name__, url_prefix="/payments")

from shop.payments import models, routes  # noqa: E402,F401  (routes attach to bp)
