"""The forms every feature shares: the base every form derives from, and the empty form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import Email

from shop.core.inputs import multi_line, single_line


def control_filter(field_class) -> object | None:
    """The control-character filter a field of this class gets (None: left as typed)."""
    if issubclass(field_class, TextAreaField):
        return multi_line
    if issubclass(field_class, PasswordField):
        return None  # hashed, never shown or mailed: kept exactly as typed
    if issubclass(field_class, StringField):  # text, e-mail, hidden, money ...
        return single_line
    return None


class BaseForm(FlaskForm):
    """A Flask-WTF form whose text fields drop control characters before any other filter:
    single-line fields turn line breaks into a space, text areas keep their newlines."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            clean = control_filter(unbound_field.field_class)
            if clean is not None:
                own = tuple(unbound_field.kwargs.get("filters", ()))
                options = dict(options, filters=(clean, *own))
            return super().bind_field(form, unbound_field, options)


class PostForm(BaseForm):
    """An empty form: CSRF protection for POST-only actions such as log-out."""


class EmailAddress(Email):
    """WTForms' e-mail check in our words (its own Spanish is "Email inválido")."""

    def __init__(self, message=None, **kwargs) -> None:
        super().__init__(
            message=message or _l("Not a valid e-mail address: write it like ana@example.com."),
            **kwargs,
        )
