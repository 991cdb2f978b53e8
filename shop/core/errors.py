"""Domain exceptions: services raise them, views turn them into form errors or 4xx pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A business rule refused an action; the message is safe to show to the user."""

    default_message = _l("That action is not possible.")

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or str(self.default_message)
        self.field = field
        super().__init__(self.message)


class NotAllowed(DomainError):
    """The acting user may not do this."""

    default_message = _l("You are not allowed to do that.")


class InvalidTransition(DomainError):
    """A state machine refused to move from its current state."""

    default_message = _l("That change of status is not allowed.")


class ValidationFailed(DomainError):
    """Input broke a business rule (the field name says where)."""
