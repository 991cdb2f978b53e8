"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from shop.core.forms import BaseForm, EmailAddress

MAX_PASSWORD = 256  # hashing very long inputs is a denial-of-service lever


def strip(value: str | None) -> str | None:
    """Drop surrounding spaces that phones and copy-paste add."""
    return value.strip() if isinstance(value, str) else value


class RegisterForm(BaseForm):
    """Open an account."""

    name = StringField(
        _l("Your name"), filters=[strip], validators=[DataRequired(), Length(max=120)]
    )
    email = EmailField(
        _l("E-mail"), filters=[strip], validators=[DataRequired(), EmailAddress(), Length(max=254)]
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(min=12, max=MAX_PASSWORD, message=_l("Use 12 to 256 characters.")),
        ],
        description=_l("At least 12 characters. A few unrelated words work well."),
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords do not match."))],
    )
    submit = SubmitField(_l("Create account"))


class LoginForm(BaseForm):
    """Log in."""

    email = EmailField(
        _l("E-mail"), filters=[strip], validators=[DataRequired(), EmailAddress(), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(BaseForm):
    """Ask for a password reset link."""

    email = EmailField(
        _l("E-mail"), filters=[strip], validators=[DataRequired(), EmailAddress(), Length(max=254)]
    )
    submit = SubmitField(_l("Send reset link"))


class ResetPasswordForm(BaseForm):
    """Choose a new password through a reset link."""

    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=12, max=MAX_PASSWORD, message=_l("Use 12 to 256 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords do not match."))],
    )
    submit = SubmitField(_l("Save new password"))
