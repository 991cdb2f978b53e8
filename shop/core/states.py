"""One idiom for every state machine: an enum with labels, a transition table, and a move that
is a conditional UPDATE (of several racing requests exactly one wins)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from shop.core.errors import InvalidTransition
from shop.extensions import db


class LabelledEnum(enum.StrEnum):
    """A status stored as text, with words for people in the current language."""

    @classmethod
    def labels(cls) -> Mapping[LabelledEnum, object]:
        """Lazy-translated words per member; subclasses override."""
        return {}

    @property
    def label(self) -> str:
        return str(self.labels().get(self, self.value))


@dataclass(frozen=True)
class Transition:
    """An action: the states it may start from and the state it ends in."""

    sources: frozenset
    target: enum.Enum


class StateMachine:
    """The transition table of one model's status column."""

    def __init__(self, model, table: Mapping[str, tuple[Iterable, enum.Enum]], column="status"):
        self.model = model
        self.column = column
        self.transitions = {
            action: Transition(frozenset(sources), target)
            for action, (sources, target) in table.items()
        }

    def __getitem__(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise InvalidTransition() from None

    def allowed(self, row, action: str) -> bool:
        """Whether the row, as loaded, may take this action."""
        transition = self.transitions.get(action)
        return transition is not None and getattr(row, self.column) in transition.sources

    def actions_from(self, status) -> list[str]:
        """The actions a row in this status may take, in table order."""
        return [a for a, t in self.transitions.items() if status in t.sources]

    def move(self, row, action: str, *conditions, session: Session | None = None, **values) -> bool:
        """Move the row if (and only if) its stored status allows it; say whether it moved.

        Extra `conditions` narrow the UPDATE further; `values` are written with the status.
        The row is refreshed either way, so the caller sees what won. `session` is the
        request's unless given (work done after the request's commit has its own).
        """
        session = session or db.session
        transition = self[action]
        column = getattr(self.model, self.column)
        result = session.execute(
            update(self.model)
            .where(self.model.id == row.id, column.in_(transition.sources), *conditions)
            .values({self.column: transition.target, **values})
            .execution_options(synchronize_session=False)
        )
        session.refresh(row)
        return result.rowcount == 1

    def require(self, row, action: str, *conditions, message: str | None = None, **values):
        """Move the row or raise InvalidTransition (with `message` for the user)."""
        if not self.move(row, action, *conditions, **values):
            raise InvalidTransition(message)
        return row
