"""The impact receipt: what part of an order's payment goes to each artisan, and the goals
it supports ("$21,25 of your $25,00 goes to Ana in Quito · SDG 8 · GCM 19")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from shop.artisans.models import Artisan, ArtisanGoal
from shop.catalog.models import ProductGoal
from shop.classes.models import ClassGoal, ClassSession
from shop.extensions import db
from shop.goals import Goal, get_goal
from shop.orders.models import Order, OrderLine
from shop.payouts.models import EntryKind, LedgerEntry
from shop.payouts.rules import commission_cents, rate_for


@dataclass(frozen=True)
class ReceiptPart:
    """One artisan's part of an order."""

    artisan: Artisan
    paid_cents: int  # what the customer paid for this artisan's items and shipping
    artisan_cents: int  # what of it goes to the artisan
    goals: list[Goal]


def _goals_of(order: Order, artisan_id: int) -> list[Goal]:
    """The goals the artisan or the listings bought from them support, in order."""
    lines = [line for line in order.lines if line.group.artisan_id == artisan_id]
    products = [line.product_id for line in lines if line.product_id]
    sessions = [line.session_id for line in lines if line.session_id]
    pairs = set(
        db.session.execute(
            select(ArtisanGoal.kind, ArtisanGoal.number).where(ArtisanGoal.artisan_id == artisan_id)
        ).all()
    )
    if products:
        pairs |= set(
            db.session.execute(
                select(ProductGoal.kind, ProductGoal.number).where(
                    ProductGoal.product_id.in_(products)
                )
            ).all()
        )
    if sessions:
        classes = select(ClassSession.class_id).where(ClassSession.id.in_(sessions))
        pairs |= set(
            db.session.execute(
                select(ClassGoal.kind, ClassGoal.number).where(ClassGoal.class_id.in_(classes))
            ).all()
        )
    ordered = sorted(pairs, key=lambda pair: (pair[0] != "sdg", pair[1]))
    return [goal for goal in (get_goal(kind, n) for kind, n in ordered) if goal is not None]


def receipt(order: Order) -> list[ReceiptPart]:
    """Each artisan's part of a paid order: from the ledger once it is written (earnings
    less commission), else from the rates that would apply now."""
    if order.paid_at is None:
        return []
    written = dict(
        db.session.execute(
            select(LedgerEntry.group_id, func.sum(LedgerEntry.amount_cents))
            .where(
                LedgerEntry.order_id == order.id,
                LedgerEntry.kind.in_((EntryKind.EARNING, EntryKind.COMMISSION)),
            )
            .group_by(LedgerEntry.group_id)
        ).all()
    )
    parts = []
    for group in order.groups:
        lines: list[OrderLine] = group.lines
        paid = sum(line.total_cents for line in lines) + group.shipping_cents
        if group.id in written:
            reaches = int(written[group.id])
        else:
            rate = rate_for(group.artisan_id)
            reaches = paid - sum(commission_cents(line.total_cents, rate) for line in lines)
        parts.append(ReceiptPart(group.artisan, paid, reaches, _goals_of(order, group.artisan_id)))
    return parts
