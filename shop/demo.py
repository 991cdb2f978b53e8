"""Demo data for `make run`: a small, believable marketplace."""

from __future__ import annotations

from datetime import time, timedelta

from flask import current_app
from sqlalchemy import select

from shop.artisans import services as artisans
from shop.artisans.models import PublicName
from shop.auth.models import User
from shop.catalog import services as catalog
from shop.catalog.models import Product
from shop.classes import services as classes
from shop.classes.models import CancellationPolicy, SkillLevel
from shop.core.time import utcnow
from shop.demo_art import illustration
from shop.demo_market import seed_market
from shop.demo_trust import seed_trust
from shop.extensions import db
from shop.media.services import save_image
from shop.orders import checkout, lifecycle
from shop.orders.cart import CartEntry
from shop.orders.models import Delivery, FulfilmentStatus
from shop.payments import services as payments
from shop.payouts import services as payouts
from shop.payouts.models import PayoutMethod

# Development-only accounts; printed by `flask seed-demo`.
DEMO_LOGINS = [
    ("admin", "admin@taller.example.com", "taller-admin-demo"),
    ("customer", "cliente@taller.example.com", "taller-cliente-demo"),
    ("artisan", "alfarera@taller.example.com", "taller-artesana-demo"),
    ("applicant", "tejedora@taller.example.com", "taller-tejedora-demo"),
]

POTTER_STORY = """\
Llegué a Quito hace seis años con mis manos y lo que sabía del barro. En mi pueblo, en
Venezuela, mi abuela hacía ollas para toda la calle; yo aprendí mirándola, y aprendí a no
tenerle miedo al fuego.

Los primeros años trabajé en lo que hubiera. Con un **programa de medios de vida** pude
invertir en lo que el taller necesitaba: un torno eléctrico, un horno pequeño y estanterías
para el secado. Hoy el taller es mío, y cada pieza sale de aquí: tazas, cuencos, macetas y
vajilla hecha a pedido.

Lo que más quiero ahora es **enseñar**. Estoy preparando clases de cerámica para grupos
pequeños: amasar, centrar en el torno, esmaltar. Quiero que otras personas, migrantes o no,
sientan lo que se siente cuando una pieza sale entera del horno.

> "El barro tiene memoria: guarda la forma de las manos que lo trabajaron."
"""

WEAVER_STORY = """\
Tejo mochilas y hamacas con las técnicas que aprendí de mi madre en La Guajira. Desde que
vivo en Guayaquil, el tejido es mi trabajo y mi manera de contar de dónde vengo.
"""


def _user(email: str, name: str, password: str, *, admin: bool = False, locale: str = "es") -> User:
    # Demo addresses are ours: created verified, so they behave like real proven accounts.
    user = User(email=email, name=name, is_admin=admin, locale=locale, email_verified_at=utcnow())
    user.set_password(password)
    db.session.add(user)
    return user


POTTER_PRODUCTS = [
    (
        "Taza de gres esmaltada",
        "ceramics",
        1800,
        6,
        "Gres de alta temperatura, esmalte azul",
        "Taza de 300 ml, torneada a mano y esmaltada en azul cobalto. Apta para lavavajillas.",
    ),
    (
        "Cuenco para sopa",
        "ceramics",
        2400,
        2,
        "Gres, esmalte sin plomo",
        "Cuenco hondo para sopa o locro. Cada pieza es única.",
    ),
    (
        "Maceta colgante",
        "ceramics",
        3200,
        0,
        "Barro cocido, cuerda de cabuya",
        "Maceta colgante con cuerda de cabuya tejida. Agotada por ahora.",
    ),
    (
        "Vajilla a pedido (6 personas)",
        "ceramics",
        24000,
        0,
        "Gres, esmalte a elegir",
        "Platos, cuencos y tazas para seis personas, en el esmalte que elijas.",
    ),
]


def _demo_products(workshop, potter: User) -> list:
    categories = {c.slug: c.id for c in catalog.categories()}
    made = []
    for index, (title, category, price, stock, materials, description) in enumerate(
        POTTER_PRODUCTS
    ):
        made_to_order = title.startswith("Vajilla")
        title_en, description_en = POTTER_ENGLISH[title]
        product = catalog.create_product(
            workshop,
            catalog.ProductData(
                title=title,
                category_id=categories[category],
                price_cents=price,
                stock=stock,
                materials=materials,
                description=description,
                made_to_order=made_to_order,
                lead_time_days=21 if made_to_order else None,
                pickup=True,
                shipping=True,
                title_translated=title_en,
                description_translated=description_en,
            ),
        )
        for photo in range(2):
            catalog.add_photo(
                product,
                save_image(illustration("ceramics", index * 3 + photo), potter.id, alt=title),
            )
        catalog.change_status(product, "publish")
        made.append(product)
    workshop.shipping_rate_cents = 450
    return made


def _demo_class(workshop, potter: User):
    """The potter's dream come true: a weekly ceramics class for beginners in Quito."""
    klass = classes.create_class(
        workshop,
        classes.ClassData(
            title="Cerámica para principiantes",
            price_cents=3500,
            duration_minutes=150,
            min_participants=2,
            max_participants=6,
            meeting_area="La Floresta",
            address="Calle Ejemplo 123 y Av. Demo (dirección de demostración)",
            description="Amasamos, centramos en el torno y hacemos un cuenco que te llevas "
            "cocido una semana después.",
            title_translated="Pottery for beginners",
            description_translated="We knead, centre on the wheel and make a bowl you take home "
            "fired a week later.",
            private_min_cents=18000,
            included="Barro, esmaltes, la cocción y un café.",
            skill_level=SkillLevel.BEGINNER,
            languages="Español, English",
            cancellation_policy=CancellationPolicy.FLEXIBLE,
        ),
    )
    classes.add_photo(
        klass, save_image(illustration("ceramics", 107, (1200, 800)), potter.id, alt=klass.title)
    )
    classes.change_status(klass, "publish")
    start = (utcnow() + timedelta(days=2)).date()
    sessions = classes.add_weekly_sessions(
        klass, weekday=5, starting=start, local_time=time(10, 0), weeks=8
    )
    _demo_group_booking(sessions[1])
    return klass


def _demo_group_booking(session) -> None:
    """A school group books every seat of the second Saturday (paid, demo gateway), so the
    demo shows a full session whose waitlist visitors can join."""
    names = tuple(f"Estudiante {n}" for n in range(1, session.capacity + 1))
    # Payment links are built with url_for, which needs a request outside of one.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        order = checkout.place_order(
            checkout.CheckoutRequest(
                entries=[CartEntry("seat", session.id, session.capacity, names)],
                contact=checkout.Contact("Colegio Los Andes (demo)", "colegio@taller.example.com"),
                deliveries={},
                checkout_token="demo-school-group",  # noqa: S106 (not a secret)
            )
        )
        payments.start_payment(order)
        payments.confirm_payment(order.payments[0], order.total_cents, order.currency)


# The potter's pieces in English (she writes in Spanish and adds a translation).
POTTER_ENGLISH = {
    "Taza de gres esmaltada": (
        "Glazed stoneware mug",
        "A 300 ml mug, thrown by hand and glazed cobalt blue. Dishwasher safe.",
    ),
    "Cuenco para sopa": ("Soup bowl", "A deep bowl for soup or locro. Every piece is unique."),
    "Maceta colgante": ("Hanging planter", "A hanging planter on a woven cabuya cord."),
    "Vajilla a pedido (6 personas)": (
        "Made-to-order tableware (for 6)",
        "Plates, bowls and mugs for six, in the glaze you choose.",
    ),
}

# The potter's completed sales: (checkout token, items as (product title, quantity), shipped).
DEMO_SALES = [
    ("demo-sale-1", [("Taza de gres esmaltada", 2)], False),
    ("demo-sale-2", [("Cuenco para sopa", 1), ("Taza de gres esmaltada", 1)], True),
    ("demo-sale-3", [("Taza de gres esmaltada", 1)], False),
]


def _demo_sales(workshop, customer: User, admin: User) -> None:
    """Three completed orders (their money available), then a bank transfer paying the
    first: the potter's statement shows sales, commission, a payout and a balance due."""
    products = {
        p.title: p
        for p in db.session.scalars(select(Product).where(Product.artisan_id == workshop.id))
    }
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        for token, items, shipped in DEMO_SALES:
            order = checkout.place_order(
                checkout.CheckoutRequest(
                    entries=[CartEntry("product", products[t].id, q) for t, q in items],
                    contact=checkout.Contact(customer.name, customer.email),
                    deliveries={workshop.id: Delivery.SHIPPING if shipped else Delivery.PICKUP},
                    checkout_token=token,
                    address="Av. 6 de Diciembre N34-120, Quito" if shipped else "",
                    user_id=customer.id,
                )
            )
            payments.start_payment(order)
            payments.confirm_payment(order.payments[0], order.total_cents, order.currency)
            lifecycle.set_fulfilment(order.groups[0], workshop.user, FulfilmentStatus.COMPLETED)
        payouts.update_payout_details(
            workshop.id, PayoutMethod.BANK_TRANSFER, "Banco Pichincha, ahorros 2201234567"
        )
        payouts.record_manual_payout(
            payouts.ManualPayout(
                artisan_id=workshop.id,
                amount_cents=3240,  # the first sale: 2 mugs, less 10 %
                method=PayoutMethod.BANK_TRANSFER,
                reference="PICHINCHA-000451",
                paid_on=utcnow().date(),
            ),
            admin.id,
        )


def seed() -> bool:
    """Create the demo rows unless they exist; returns True when it created them."""
    if db.session.scalar(select(User).where(User.email == DEMO_LOGINS[0][1])) is not None:
        return False
    admin = _user(DEMO_LOGINS[0][1], "Ana (admin)", DEMO_LOGINS[0][2], admin=True)
    customer = _user(DEMO_LOGINS[1][1], "Carla Cliente", DEMO_LOGINS[1][2])
    potter = _user(DEMO_LOGINS[2][1], "Marisol Rojas", DEMO_LOGINS[2][2])
    weaver = _user(DEMO_LOGINS[3][1], "Yaneth Epieyú", DEMO_LOGINS[3][2])
    db.session.flush()

    workshop = artisans.apply(
        potter,
        artisans.ApplicationData(
            shop_name="Barro Vivo Taller",
            slug="barro-vivo",
            first_name="Marisol",
            public_name_choice=PublicName.SHOP_NAME,
            craft="Cerámica",
            city="Quito",
            country="EC",
            origin_country="VE",
            show_origin=True,
            languages="Español, English",
            tagline="Cerámica de alta temperatura hecha a mano en Quito.",
            story=POTTER_STORY,
            story_url="https://www.example.org/historias/barro-vivo",
            consent=True,
            goals={
                ("sdg", 8): "Mi taller es mi empleo y pronto dará clases pagadas a otras personas.",
                ("sdg", 12): "Piezas duraderas, esmaltes sin plomo y barro local.",
                ("gcm", 19): "Comparto lo que traje de Venezuela con mi nueva ciudad.",
            },
        ),
    )
    artisans.set_photo(
        workshop,
        "profile",
        save_image(illustration("ceramics", 101), potter.id, alt="Barro Vivo Taller"),
    )
    artisans.set_photo(
        workshop,
        "cover",
        save_image(illustration("ceramics", 104, (1600, 700)), potter.id, alt="Barro Vivo Taller"),
    )
    artisans.decide(workshop, admin, "approve")
    for goal in workshop.goals:
        if (goal.kind, goal.number) == ("sdg", 8):
            artisans.verify_goal(goal, admin, True)
    products = _demo_products(workshop, potter)
    db.session.flush()
    _demo_sales(workshop, customer, admin)
    klass = _demo_class(workshop, potter)
    seed_trust(potter, customer, klass, products)
    seed_market(admin, {c.slug: c.id for c in catalog.categories()})

    artisans.apply(
        weaver,
        artisans.ApplicationData(
            shop_name="Tejidos Süchon",
            slug="tejidos-suchon",
            first_name="Yaneth",
            public_name_choice=PublicName.FIRST_NAME,
            craft="Textiles",
            city="Guayaquil",
            country="EC",
            origin_country="CO",
            show_origin=False,
            languages="Español, Wayuunaiki",
            tagline="Mochilas y hamacas tejidas a mano.",
            story=WEAVER_STORY,
            consent=True,
            goals={("sdg", 5): "Enseño a tejer a otras mujeres del barrio.", ("gcm", 19): ""},
        ),
    )
    db.session.flush()
    return True
