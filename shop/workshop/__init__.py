"""The artisan's workshop: everything an artisan manages (profile, products, classes, sessions,
orders) on one blueprint, behind one guard. Public pages stay in their features.

Importing the package registers every workshop view on `bp`."""

from shop.workshop import apply, classes, home, moderation, orders, private, products, sessions  # noqa: F401
from shop.workshop.blueprint import bp  # noqa: F401
