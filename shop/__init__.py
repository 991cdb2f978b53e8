"""Taller: a marketplace web shop for migrant artisans."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, request, session
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from shop.config import Config, config_from_environment, instance_secret_key

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, error pages, commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, config)
    register_input_guards(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure(app: Flask, config: type[Config] | dict | None) -> None:
    """Load the config class (or overrides) and fill in instance-relative defaults."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    overrides: dict = {}
    if isinstance(config, dict):
        overrides = config
        config = None
    config_class = config or config_from_environment()
    app.config.from_object(config_class)
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY") and config_class.ENV_NAME == "development":
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "shop.db"
        )
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        # Every worker and host must count the same attempts.
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    config_class.check(app.config)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_input_guards(app: Flask) -> None:
    """Turn away input the database cannot hold, before any other hook or view sees it:
    `<int:...>` only matches ids an INTEGER column can hold, and a NUL byte in the path,
    query string or form is a 404/400."""
    from shop.core.inputs import DatabaseIntConverter, reject_nul_bytes

    app.url_map.converters["int"] = DatabaseIntConverter
    app.before_request(reject_nul_bytes)


def select_locale() -> str:
    """Language: the switcher's choice, else the account's, else the browser's, else Spanish."""
    from flask import current_app, has_request_context

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    # An address in one language (?lang=en, what hreflang links point to) is that language.
    in_address = request.args.get("lang")
    if in_address in languages:
        return in_address
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def register_extensions(app: Flask) -> None:
    """Attach the unbound extensions to this app."""

    # Imported for what importing them does: send-after-commit listeners, every table,
    # and the signal receivers of search, waitlist and payouts.
    from shop import mail, models  # noqa: F401
    from shop.auth.models import User
    from shop.catalog import search  # noqa: F401
    from shop.core import assets, pagecache
    from shop.extensions import (
        babel,
        bootstrap,
        compress,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
    )
    from shop.payouts import ledger, services  # noqa: F401
    from shop.waitlist import services as waitlist  # noqa: F401

    db.init_app(app)
    with app.app_context():
        _tune_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "shop" / "translations"),
    )
    bootstrap.init_app(app)
    pagecache.init_app(app)
    compress.init_app(app)
    assets.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to see this page.")

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        row_id, _, token = user_id.partition(":")
        if not row_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(row_id))
        if user is None or user.session_token != token:
            return None
        return user


def _tune_sqlite(engine) -> None:
    """SQLite: enforce foreign keys, let readers and a writer overlap, wait on locks."""
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    """Mount every feature's blueprint."""
    from shop.admin import (  # noqa: F401  (on the admin bp)
        moderation_routes,
        payouts_routes,
        settings_routes,
    )
    from shop.admin.routes import bp as admin_bp
    from shop.api.routes import bp as api_bp
    from shop.artisans.routes import bp as artisans_bp
    from shop.auth.routes import bp as auth_bp
    from shop.catalog.routes import bp as catalog_bp
    from shop.classes import (
        private_routes,  # noqa: F401  (on the classes bp)
        waitlist_routes,  # noqa: F401  (on the classes bp)
    )
    from shop.classes.routes import bp as classes_bp
    from shop.impact.routes import bp as impact_bp
    from shop.main.routes import bp as main_bp
    from shop.media.routes import bp as media_bp
    from shop.messages.routes import bp as messages_bp
    from shop.moderation.routes import bp as moderation_bp
    from shop.orders.routes import bp as orders_bp
    from shop.payments.routes import bp as payments_bp
    from shop.payouts.routes import bp as payouts_bp
    from shop.reviews.routes import bp as reviews_bp
    from shop.workshop import bp as workshop_bp

    for blueprint in (
        main_bp,
        auth_bp,
        artisans_bp,
        catalog_bp,
        classes_bp,
        orders_bp,
        workshop_bp,
        payments_bp,
        payouts_bp,
        reviews_bp,
        messages_bp,
        moderation_bp,
        media_bp,
        admin_bp,
        api_bp,
        impact_bp,
    ):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    """Error pages and the security headers that go on every response."""
    from shop.core.security import set_security_headers
    from shop.errors import register_errorhandlers as attach

    attach(app)
    app.after_request(set_security_headers)


def register_template_helpers(app: Flask) -> None:
    """Jinja filters and globals shared by every template."""
    from shop.bookings.services import booking_refund_cents
    from shop.catalog.services import PRODUCT_STATES
    from shop.classes import display
    from shop.classes.policy import describe_policy, policy_name, private_seat_cents
    from shop.classes.services import CLASS_STATES
    from shop.core import dates, settings
    from shop.core.forms import PostForm
    from shop.core.markdown import plain_excerpt, render_markdown
    from shop.core.money import amount_text, format_money_here
    from shop.core.time import utcnow
    from shop.goals import all_goals
    from shop.main import seo
    from shop.media.services import photo_url
    from shop.waitlist.queries import shown_status as waitlist_shown_status

    app.add_template_filter(format_money_here, "money")
    app.add_template_filter(amount_text, "amount_text")
    # One date format on every page and e-mail: "vie 11 dic 2026, 10:00" / "vie 11 dic 2026".
    app.add_template_filter(dates.format_moment, "datetime_text")
    app.add_template_filter(dates.format_day, "date_text")
    app.add_template_filter(dates.zone_name, "zone_name")
    # Photos are linked through the storage (local media route, or object storage URLs).
    app.add_template_global(photo_url, "photo_url")

    app.add_template_filter(render_markdown, "markdown")

    @app.template_global("session_when")
    def session_when(session) -> str:
        """A class session's start in its own zone, with the zone named."""
        from shop.classes.display import when

        return when(session.starts_at, session.class_.timezone)

    @app.template_global("class_dates")
    def class_dates(group) -> str:
        """When the class sessions of an order group take place, each on its venue's clock."""
        from shop.classes.display import when

        sessions = {line.session.id: line.session for line in group.lines if line.session}
        ordered = sorted(sessions.values(), key=lambda s: s.starts_at)
        return "; ".join(when(s.starts_at, s.class_.timezone) for s in ordered)

    @app.template_global("class_time")
    def class_time(value, session) -> str:
        """Any instant (e.g. an offer's deadline) on a class session's own clock."""
        from shop.classes.display import when

        return when(value, session.class_.timezone)

    app.add_template_filter(plain_excerpt, "excerpt")

    @app.template_filter("country_name")
    def country_name(code: str | None) -> str:
        from babel import Locale

        if not code:
            return ""
        return Locale.parse(str(get_locale())).territories.get(code.upper(), code)

    @app.context_processor
    def globals_for_templates() -> dict:
        return {
            "all_goals": all_goals,
            "demo_payments": not app.config.get("STRIPE_SECRET_KEY"),
            "site_contact_email": settings.public_contact_email,
            "hold_minutes": settings.Lazy(settings.ORDER_HOLD_MINUTES),
            "waitlist_hours": settings.Lazy(settings.WAITLIST_OFFER_HOURS),
            "waitlist_shown_status": waitlist_shown_status,
            "now_utc": utcnow,
            "booking_refund": booking_refund_cents,
            "describe_policy": describe_policy,
            "product_states": PRODUCT_STATES,
            "class_states": CLASS_STATES,
            "policy_name": policy_name,
            "private_seat_cents": private_seat_cents,
            "when": display.when,
            "local_datetime": display.local_datetime,
            "zone_label": display.zone_label,
            "current_locale": str(get_locale()),
            # The layout's CSRF-only forms never read the request: an error page (a 413 above
            # all) must render without parsing the body that caused it.
            "post_form": lambda: PostForm(formdata=None),
            "languages": app.config["LANGUAGES"],
            "language_alternates": seo.this_page_alternates,
        }


def register_commands(app: Flask) -> None:
    """The flask CLI commands (create-admin, seed-demo, ...)."""
    from shop.cli import commands

    for command in commands:
        app.cli.add_command(command)
