"""Fixtures of the payouts tests: a request context for the services that build links."""

from __future__ import annotations

import pytest


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield
