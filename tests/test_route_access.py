"""Every route, walked by every role: no 500s, admin pages closed to everyone else."""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import login

ROLES = ["anonymous", "customer", "pending_artisan", "approved_artisan", "admin"]
# Sample values for URL variables, so every rule can be requested.
SAMPLES = {
    "class_id": 1,
    "session_id": 1,
    "line_id": 1,
    "slug": "no-such-slug",
    "token": "bad-token",
    "name": "nothing-full.jpg",
    "kind": "sdg",
    "number": 8,
    "artisan_id": 1,
    "goal_id": 1,
    "product_id": 1,
    "photo_id": 1,
    "filename": "css/app.css",
    "group_id": 1,
    "order_id": 1,
    "ref": "demo_x",
    "refund_id": 1,
    "payout_id": 1,
    "review_id": 1,
    "conversation_id": 1,
    "target_id": 1,
    "listing_id": 1,
    "user_id": 1,
    "action": "suspend",
    "page": "about",
    "request_id": 1,
    "report_id": 1,
}


def _url(rule) -> str:
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<{argument}>", str(SAMPLES[argument]))
        for converter in ("int", "path", "string"):
            path = path.replace(f"<{converter}:{argument}>", str(SAMPLES[argument]))
    return path


@pytest.fixture
def clients(app, db):
    users = {
        "customer": factories.user(),
        "pending_artisan": factories.artisan(status="pending").user,
        "approved_artisan": factories.artisan(status="approved").user,
        "admin": factories.user(is_admin=True),
    }
    factories.product(artisan_workshop=users["approved_artisan"].artisan)
    db.session.commit()
    result = {"anonymous": app.test_client()}
    for role, user in users.items():
        result[role] = app.test_client()
        login(result[role], user.email)
    return result


@pytest.mark.parametrize("role", ROLES)
def test_every_get_route_answers_without_error(app, clients, role):
    seen = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "bootstrap.static":
            continue
        url = _url(rule)
        status = clients[role].get(url).status_code
        seen += 1
        assert status < 500, (role, url, status)
        if rule.endpoint.startswith("admin."):
            expected = {"anonymous": 302, "admin": 200}.get(role, 403)
            if "<" not in rule.rule:
                assert status == expected, (role, url, status)
            else:
                assert status in (expected, 404) if role == "admin" else status == expected
    assert seen > 20


@pytest.mark.parametrize("role", ROLES)
def test_every_post_route_refuses_a_missing_csrf_token(app, clients, role):
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        status = clients[role].post(_url(rule), data={}).status_code
        # 400 = CSRF refused; 302/403/404 = refused earlier (login, role, unknown object).
        assert status in (302, 400, 403, 404), (role, rule.rule, status)


@pytest.mark.parametrize("role", ROLES)
def test_impact_exports_are_for_admins_only(clients, role):
    """The impact exports live on the impact blueprint, under /admin: admins only."""
    expected = {"anonymous": 302, "admin": 200}.get(role, 403)
    for url in ("/admin/impact", "/admin/impact/export.csv", "/admin/impact/export.json"):
        response = clients[role].get(url + "?from=2025-01-01&to=2025-12-31")
        assert response.status_code == expected, (role, url, response.status_code)
    assert clients[role].get("/impact").status_code == 200  # the page itself is public
