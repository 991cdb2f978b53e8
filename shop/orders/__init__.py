"""Cart, checkout and orders."""

from flask import Blueprint

bp = Blueprint("orders", __name__)

from shop.orders import routes  # noqa: E402,F401  (routes attach to bp)


def _merge_cart_on_login(sender, user, **extra) -> None:
    """A guest's cart joins the account's cart when they log in."""
    from flask import session

    from shop.extensions import db
    from shop.orders.cart import SessionCart, UserCart, merge

    guest = SessionCart(session)
    if guest.entries():
        merge(guest, UserCart(user.id))
        db.session.commit()


def _connect_signals() -> None:
    from flask_login import user_logged_in

    user_logged_in.connect(_merge_cart_on_login)


_connect_signals()
