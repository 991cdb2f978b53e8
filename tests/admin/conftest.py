"""Admin tests build paid orders (the demo gateway builds URLs): give them a request."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield
