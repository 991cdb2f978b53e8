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
from shop.auth.models import new_session_token
from shop.core.errors import ValidationFailed
from shop.core.forms import PostForm
from shop.core.security import is_safe_next
from shop.core.time import utcnow
from shop.core.views import commit, rollback
from shop.extensions import limiter
from shop.mail import render_email, send_now

bp = Blueprint("auth", __name__, url_prefix="/auth")

# Session keys that survive log-in and log-out (everything else is dropped).
KEPT_SESSION_KEYS = ("lang", "cart")


def _auth_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["AUTH_ADDRESS_RATE_LIMIT"]


def _account_ceiling() -> str:
    return current_app.config["AUTH_ACCOUNT_RATE_LIMIT"]


def _typed_email() -> str:
    return (request.form.get("email") or "").strip().lower()


def _account_key() -> str:
    return "account:" + _typed_email()


def _account_address_key() -> str:
    # Strict, but only for this address: a stranger's failures cannot lock the owner out.
    return f"account:{_typed_email()}|{request.remote_addr or 'unknown'}"


def _login_failed(response) -> bool:
    # A successful log-in redirects; only failures count toward the per-account limits.
    return response.status_code != 302


def _warn_owner(limit) -> None:
    """The per-account ceiling tripped: tell the owner once per window, not per attempt."""
    user = services.find_user_by_email(_typed_email())
    window = f"1 per {limit.limit.get_expiry()} second"
    if user is None or not services.once_per_window(f"login-ceiling:{user.id}", window):
        return
    current_app.logger.warning("log-in ceiling reached: user=%s", user.id)
    send_now(render_email(user.email, "login_ceiling", locale=user.locale, user=user))


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
@limiter.limit(_auth_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register_user(
                form.email.data, form.name.data, form.password.data, str(get_locale())
            )
        except ValidationFailed as error:
            _form_error(form, error)
        else:
            # The same page whether the address was new or already had an account.
            commit()
            return render_template("auth/register_sent.html", email=form.email.data.lower())
    return render_template("auth/register.html", form=form)


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def verify_email(token: str):
    """The link from the registration e-mail: a button (GETs never write) that proves it."""
    form = PostForm()
    if form.validate_on_submit():
        try:
            user = services.verify_email(token)
        except services.VerifyLinkInvalid as error:
            rollback()
            return render_template("auth/verify_invalid.html", message=error.message), 400
        commit()
        flash(_("Thank you: your e-mail address is confirmed."), "success")
        if current_user.is_authenticated and current_user.id == user.id:
            return redirect(url_for("auth.account"))
        return redirect(url_for("auth.login"))
    return render_template("auth/verify.html", form=form)


@bp.route("/account/verify", methods=["POST"])
@login_required
@limiter.limit("3 per hour", key_func=lambda: f"verify:{current_user.id}", methods=["POST"])
def resend_verification():
    if PostForm().validate_on_submit() and not current_user.is_verified:
        services.send_verification(current_user)
        commit()
        flash(
            _(
                "We sent a new link to %(email)s. Open it to confirm the address.",
                email=current_user.email,
            ),
            "info",
        )
    return redirect(url_for("auth.account"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(
    _auth_limit, key_func=_account_address_key, methods=["POST"], deduct_when=_login_failed
)
@limiter.limit(
    _account_ceiling,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_login_failed,
    on_breach=_warn_owner,
)
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
            commit()
            session["lang"] = user.locale
            flash(_("Hello again, %(name)s.", name=user.name), "success")
            return _redirect_next(url_for("main.index"))
    form.password.data = None
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = PostForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        # A new session token: every copy of this account's session and remember-me cookies
        # (on this device or copied elsewhere) stops working, not just this browser's.
        current_user.session_token = new_session_token()
        commit()
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
        commit()
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
            rollback()
            return render_template("auth/reset_invalid.html", message=error.message), 400
        except ValidationFailed as error:
            _form_error(form, error)
        else:
            commit()
            _renew_session()
            login_user(user)
            flash(_("Your password is changed and you are logged in."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/reset.html", form=form)


@bp.route("/account")
@login_required
def account():
    return render_template("auth/account.html")
