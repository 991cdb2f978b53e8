"""Account pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from shop.auth import services
from shop.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from shop.core.errors import ValidationFailed
from shop.core.forms import PostForm
from shop.core.security import is_safe_next
from shop.core.time import utcnow
from shop.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")

# Session keys that survive log-in and log-out (everything else is dropped).
KEPT_SESSION_KEYS = ("lang", "cart")


def _auth_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()


def _renew_session() -> None:
    """Start a fresh session (against fixation) but keep the language and the cart."""
    kept = {key: session[key] for key in KEPT_SESSION_KEYS if key in session}
    session.clear()
    session.update(kept)


def _redirect_next(default: str):
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_next(target) else default)


def _form_error(form, error: ValidationFailed) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.email.data, form.name.data, form.password.data, str(get_locale())
            )
        except ValidationFailed as error:
            _form_error(form, error)
        else:
            db.session.commit()
            _renew_session()
            login_user(user)
            flash(_("Welcome to Taller, %(name)s!", name=user.name), "success")
            return _redirect_next(url_for("main.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
@limiter.limit(_auth_limit, key_func=_account_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("E-mail or password is not right."), "danger")
        else:
            user.last_login_at = utcnow()
            _renew_session()
            login_user(user, remember=form.remember.data)  # listeners (cart merge) write too
            db.session.commit()
            session["lang"] = user.locale
            flash(_("Hello again, %(name)s.", name=user.name), "success")
            return _redirect_next(url_for("main.index"))
    form.password.data = None
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = PostForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        logout_user()
        _renew_session()
        flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
@limiter.limit(_auth_limit, key_func=_account_key, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If an account exists for that e-mail, we have sent a link to reset the "
                "password. It works once, for one hour."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except services.ResetLinkInvalid as error:
        return render_template("auth/reset_invalid.html", message=error.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except services.ResetLinkInvalid as error:
            return render_template("auth/reset_invalid.html", message=error.message), 400
        except ValidationFailed as error:
            _form_error(form, error)
        else:
            db.session.commit()
            _renew_session()
            login_user(user)
            flash(_("Your password is changed and you are logged in."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/reset.html", form=form)


@bp.route("/account")
@login_required
def account():
    return render_template("auth/account.html")
