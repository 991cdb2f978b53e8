"""The figures as data: the JSON of the public API and of the admins' export, and the rows
of the CSV export. Money stays in minor units in JSON and is a decimal amount in the CSV."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from shop.classes.models import Class, ClassSession, SessionStatus
from shop.core.time import utcnow
from shop.extensions import db
from shop.goals import get_goal
from shop.impact.queries import FIGURE_NAMES, NOT_SHOWN, OTHER, SOLD, Cell, Report
from shop.orders.models import Order, OrderGroup, OrderLine
from shop.payouts.reports import decimal_amount

MONEY_FIGURES = ("sales_cents", "earned_cents", "paid_out_cents")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def city_fields(cell: Cell) -> dict:
    if cell.key == OTHER:
        return {"city": None, "country": None, "other": True}
    return {"city": cell.label, "country": cell.key[0], "other": False}


def origin_fields(cell: Cell) -> dict:
    group = cell.key if cell.key in (OTHER, NOT_SHOWN) else "country"
    return {"country": cell.key if group == "country" else None, "group": group}


def goal_fields(cell: Cell) -> dict:
    kind, number = cell.key
    return {"kind": kind, "number": number, "code": get_goal(kind, number).code}


def report_json(report: Report) -> dict:
    """The whole report as plain data (withheld figures are null)."""
    end = report.period.end - timedelta(days=1) if report.period.end else None
    return {
        "period": {"from": _day(report.period.start), "to": _day(end)},
        "currency": report.currency,
        "total": report.total.as_dict(),
        "by_month": [
            {"month": cell.key.strftime("%Y-%m"), **cell.figures.as_dict()}
            for cell in report.by_month
        ],
        "by_city": [city_fields(cell) | cell.figures.as_dict() for cell in report.by_city],
        "by_origin": [origin_fields(cell) | cell.figures.as_dict() for cell in report.by_origin],
        "by_goal": [goal_fields(cell) | cell.figures.as_dict() for cell in report.by_goal],
    }


def csv_rows(report: Report) -> tuple[list[str], list[list]]:
    """One row per cell of every breakdown (and the total), money as decimal amounts."""
    header = ["breakdown", "group", *FIGURE_NAMES, "currency"]

    def row(breakdown: str, group: str, cell_figures) -> list:
        values = cell_figures.as_dict()
        out = []
        for name in FIGURE_NAMES:
            value = values[name]
            if value is not None and name in MONEY_FIGURES:
                value = decimal_amount(value, report.currency)
            out.append("withheld" if cell_figures.suppressed else value)
        return [breakdown, group, *out, report.currency]

    rows = [row("total", "", report.total)]
    rows += [row("month", c.key.strftime("%Y-%m"), c.figures) for c in report.by_month]
    for cell in report.by_city:
        place = city_fields(cell)
        name = OTHER if place["other"] else f"{place['city']}, {place['country']}"
        rows.append(row("city", name, cell.figures))
    rows += [row("origin", str(cell.key), cell.figures) for cell in report.by_origin]
    rows += [row("goal", goal_fields(c)["code"], c.figures) for c in report.by_goal]
    return header, rows


def artisan_line(artisan_id: int) -> tuple[int, int]:
    """An artisan's pieces sold and students taught, all time (for their opt-in line)."""
    pieces = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity - OrderLine.restocked_quantity), 0))
        .join(OrderGroup, OrderLine.group_id == OrderGroup.id)
        .join(Order, OrderLine.order_id == Order.id)
        .where(OrderGroup.artisan_id == artisan_id, OrderLine.kind != "seat")
        .where(Order.status.in_(SOLD))
    )
    students = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, OrderLine.order_id == Order.id)
        .join(ClassSession, OrderLine.session_id == ClassSession.id)
        .join(Class, ClassSession.class_id == Class.id)
        .where(
            Class.artisan_id == artisan_id,
            OrderLine.kind == "seat",
            OrderLine.cancelled_at.is_(None),
            Order.status.in_(SOLD),
            ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.starts_at <= utcnow(),
        )
    )
    return int(pieces), int(students)
