"""The public impact page, the figures on goal pages and receipts, and the admins' exports."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import format_date, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from sqlalchemy import or_

from shop.artisans.models import Artisan, ArtisanGoal
from shop.catalog.models import Product, ProductGoal
from shop.catalog.services import ProductFilters, public_products
from shop.classes.models import Class, ClassGoal
from shop.classes.queries import ClassFilters, public_classes
from shop.core.security import admin_required
from shop.core.spreadsheet import csv_text
from shop.core.time import utcnow
from shop.extensions import db
from shop.goals import get_goal
from shop.impact import charts, export, periods
from shop.impact.queries import NOT_SHOWN, OTHER, Cell, Figures, Period, Report, impact_report
from shop.impact.receipt import receipt

bp = Blueprint("impact", __name__)

GOAL_LISTINGS = 6


def _zone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _labels(report: Report, country_name) -> dict[str, list[str]]:
    """What each breakdown's rows are called on the page."""
    return {
        "month": [format_date(cell.key, "MMM y") for cell in report.by_month],
        "city": [_("Other cities") if c.key == OTHER else c.label for c in report.by_city],
        "origin": [
            _("Other countries")
            if c.key == OTHER
            else _("Not shown")
            if c.key == NOT_SHOWN
            else country_name(c.key)
            for c in report.by_origin
        ],
        "goal": [get_goal(*cell.key).code_in(str(get_locale())) for cell in report.by_goal],
    }


@dataclass(frozen=True)
class Section:
    """One breakdown on the page: its chart and the table beside it."""

    id: str
    title: str
    heading: str
    chart: charts.Chart
    rows: list[tuple[str, Figures]]
    cells: list[Cell]


def _sections(report: Report) -> list[Section]:
    labels = _labels(report, current_app.jinja_env.filters["country_name"])
    parts = [
        ("by-month", _("By month"), _("Month"), report.by_month, labels["month"]),
        ("by-city", _("By city"), _("City"), report.by_city, labels["city"]),
        (
            "by-origin",
            _("By country of origin"),
            _("Country of origin"),
            report.by_origin,
            labels["origin"],
        ),
        ("by-goal", _("By goal"), _("Goal"), report.by_goal, labels["goal"]),
    ]
    return [
        Section(
            id,
            title,
            heading,
            charts.bar_chart(cells, names, "earned_cents"),
            [(name, cell.figures) for name, cell in zip(names, cells, strict=True)],
            cells,
        )
        for id, title, heading, cells, names in parts
    ]


@bp.route("/impact")
def page():
    """Every figure for the chosen months, as charts and tables."""
    choice = periods.month_choice(request.args, utcnow(), _zone())
    report = impact_report(choice.period, _zone())
    return render_template(
        "impact/page.html", choice=choice, report=report, sections=_sections(report)
    )


@bp.route("/admin/impact")
@admin_required
def admin():
    """Exports for partners and funders: the figures of any date range, CSV or JSON."""
    choice = periods.day_choice(request.args, utcnow(), _zone())
    report = impact_report(choice.period, _zone())
    return render_template("impact/admin.html", choice=choice, report=report)


def _export_report() -> tuple[Report, str]:
    choice = periods.day_choice(request.args, utcnow(), _zone())
    first = choice.first.isoformat() if choice.first else "start"
    last = choice.last.isoformat() if choice.last else "now"
    return impact_report(choice.period, _zone()), f"taller-impact-{first}-{last}"


@bp.route("/admin/impact/export.csv")
@admin_required
def export_csv():
    report, name = _export_report()
    header, rows = export.csv_rows(report)
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@bp.route("/admin/impact/export.json")
@admin_required
def export_json():
    report, name = _export_report()
    return Response(
        json.dumps(export.report_json(report), indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
    )


@bp.app_template_global()
def impact_receipt(order):
    """Each artisan's part of a paid order (templates/impact/_receipt.*)."""
    return receipt(order)


def supports_goal(listing, link, pair: tuple[str, int]):
    """SQL: the listing, or its artisan, supports the goal (as its sales count under it)."""
    kind, number = pair
    return or_(
        listing.goals.any((link.kind == kind) & (link.number == number)),
        listing.artisan.has(
            Artisan.goals.any((ArtisanGoal.kind == kind) & (ArtisanGoal.number == number))
        ),
    )


@bp.app_template_global()
def goal_impact(goal) -> dict:
    """A goal page's figures (all time) and the listings behind them."""
    report = impact_report(Period(), _zone())
    pair = (goal.kind, goal.n)
    return {
        "figures": report.goal(*pair),
        "currency": report.currency,
        "products": db.session.scalars(
            public_products(ProductFilters())
            .where(supports_goal(Product, ProductGoal, pair))
            .limit(GOAL_LISTINGS)
        )
        .unique()
        .all(),
        "classes": db.session.scalars(
            public_classes(ClassFilters())
            .where(supports_goal(Class, ClassGoal, pair))
            .limit(GOAL_LISTINGS)
        )
        .unique()
        .all(),
    }


@bp.app_template_global()
def artisan_impact(artisan) -> tuple[int, int] | None:
    """(pieces sold, students taught) when the artisan chose to show them."""
    if not getattr(artisan, "show_impact", False):
        return None
    return export.artisan_line(artisan.id)


@bp.app_template_filter("share_percent")
def share_percent(bps: int | None) -> str:
    """Basis points as a percentage in the reader's language ("90,0 %")."""
    return "" if bps is None else format_percent(bps / 10_000, "#,##0.0%")


@bp.app_template_filter("hours")
def hours(minutes: int | None) -> str:
    """Minutes as hours with one decimal ("2,5")."""
    return "" if minutes is None else format_decimal(minutes / 60, "#,##0.#")
