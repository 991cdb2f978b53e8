"""Accounts: registration, log-in, log-out, password reset, limits and redirects."""

from __future__ import annotations

import os
import re
import time

import pytest
from sqlalchemy import func, select

from shop.auth import services
from shop.auth.models import User
from tests import factories
from tests.conftest import csrf_token, login, post_form

EN = {"Accept-Language": "en"}


def register(client, **overrides):
    data = {
        "name": "Rosa Potter",
        "email": "rosa@example.com",
        "password": "barro y fuego 2026",
        "confirm": "barro y fuego 2026",
    }
    data.update(overrides)
    return post_form(client, "/auth/register", data, headers=EN)


def test_register_creates_customer_and_logs_in(client, db):
    response = register(client, email="  Rosa@Example.COM ")
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "rosa@example.com"
    assert not user.is_admin
    assert user.password_hash.startswith("scrypt:")
    assert "barro" not in user.password_hash
    assert user.created_at.tzinfo is not None
    page = client.get("/auth/account", headers=EN).get_data(as_text=True)
    assert "rosa@example.com" in page


def test_register_keeps_input_and_shows_errors_for_short_password(client, db):
    response = register(client, password="short", confirm="short")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use 12 to 256 characters." in html
    assert 'value="rosa@example.com"' in html and 'value="Rosa Potter"' in html
    assert "short" not in re.findall(r'type="password"[^>]*', html)[0]
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_register_refuses_duplicate_email_ignoring_case(client, db):
    factories.user(email="rosa@example.com")
    db.session.commit()
    response = register(client, email="ROSA@example.com")
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_register_mismatched_passwords(client, db):
    response = register(client, confirm="something else entirely")
    assert "Passwords do not match." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_register_records_language(client, db):
    post_form(
        client,
        "/auth/register",
        {
            "name": "Rosa",
            "email": "r@example.com",
            "password": "barro y fuego 2026",
            "confirm": "barro y fuego 2026",
        },
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert db.session.scalar(select(User.locale)) == "en"


def test_login_and_logout(client, customer):
    response = login(client, customer.email.upper())
    assert response.headers["Location"] == "/"
    assert client.get("/auth/account").status_code == 200
    response = post_form(client, "/auth/logout")
    assert response.status_code == 302
    assert client.get("/auth/account").status_code == 302


def test_logout_needs_post_with_csrf(client, customer):
    login(client, customer.email)
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/auth/account").status_code == 200


def test_wrong_password_and_unknown_email_answer_the_same(client, customer):
    wrong = post_form(
        client, "/auth/login", {"email": customer.email, "password": "x" * 14}, headers=EN
    )
    unknown = post_form(
        client, "/auth/login", {"email": "nobody@example.com", "password": "x" * 14}, headers=EN
    )
    assert wrong.status_code == unknown.status_code == 200
    assert "E-mail or password is not right." in wrong.get_data(as_text=True)
    assert "E-mail or password is not right." in unknown.get_data(as_text=True)
    assert "x" * 14 not in wrong.get_data(as_text=True)


def test_login_page_keeps_email_not_password(client, customer):
    response = post_form(
        client, "/auth/login", {"email": customer.email, "password": "wrong password!!"}
    )
    html = response.get_data(as_text=True)
    assert f'value="{customer.email}"' in html
    assert "wrong password!!" not in html


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/auth/account", "/auth/account"),
        ("https://evil.example.com/", "/"),
        ("//evil.example.com", "/"),
        ("/\\evil.example.com", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirects_only_to_this_site(client, customer, target, expected):
    response = post_form(
        client,
        "/auth/login",
        {"email": customer.email, "password": factories.PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_protected_page_sends_anonymous_to_login_with_next(client):
    response = client.get("/auth/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_login_renews_the_session(client, customer):
    csrf_token(client)
    before = client.get_cookie("session").value
    login(client, customer.email)
    after = client.get_cookie("session").value
    assert before != after
    with client.session_transaction() as session:
        assert "_user_id" in session


def test_password_change_logs_out_other_sessions(app, db, customer):
    other = app.test_client()
    login(other, customer.email)
    assert other.get("/auth/account").status_code == 200
    customer.set_password("a completely new password")
    db.session.commit()
    assert other.get("/auth/account").status_code == 302


def test_login_is_rate_limited_per_account(app, client, customer):
    app.config["AUTH_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        response = post_form(
            client, "/auth/login", {"email": customer.email, "password": "not the password"}
        )
        assert response.status_code == 200
    response = post_form(
        client, "/auth/login", {"email": customer.email, "password": factories.PASSWORD}, headers=EN
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers


def test_login_is_rate_limited_per_address_across_accounts(app, client, customer):
    app.config["AUTH_RATE_LIMIT"] = "3 per minute"
    for number in range(3):
        post_form(
            client,
            "/auth/login",
            {"email": f"guess{number}@example.com", "password": "not the password"},
        )
    response = post_form(
        client, "/auth/login", {"email": customer.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 429


def _reset_link(outbox, address):
    messages = outbox.to(address)
    assert len(messages) == 1
    body = outbox.body(messages[0])
    match = re.search(r"http://localhost(/auth/reset/\S+)", body)
    assert match, body
    return match.group(1)


def test_password_reset_flow_works_once(client, db, customer, outbox):
    response = post_form(client, "/auth/forgot", {"email": customer.email}, headers=EN)
    assert response.status_code == 302
    link = _reset_link(outbox, customer.email)
    assert client.get(link).status_code == 200
    response = post_form(
        client, link, {"password": "brand new password", "confirm": "brand new password"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, customer.id).check_password("brand new password")
    post_form(client, "/auth/logout")
    reused = client.get(link, headers=EN)
    assert reused.status_code == 400
    assert "already been used" in reused.get_data(as_text=True)
    again = post_form(
        client, link, {"password": "another password 1", "confirm": "another password 1"}
    )
    assert again.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, customer.id).check_password("brand new password")


def test_password_reset_for_unknown_email_looks_the_same(client, customer, outbox):
    known = post_form(client, "/auth/forgot", {"email": customer.email})
    unknown = post_form(client, "/auth/forgot", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert len(outbox.messages()) == 1


def test_expired_reset_link_says_so_and_changes_nothing(app, client, db, customer, monkeypatch):
    import itsdangerous.timed

    real_time = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() - 2 * 3600)
    token = services.make_reset_token(customer)
    monkeypatch.setattr(itsdangerous.timed.time, "time", real_time)
    old_hash = customer.password_hash
    response = client.get(f"/auth/reset/{token}", headers=EN)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    response = post_form(
        client,
        f"/auth/reset/{token}",
        {"password": "brand new password", "confirm": "brand new password"},
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, customer.id).password_hash == old_hash


def test_tampered_reset_link_is_refused(client, customer):
    token = services.make_reset_token(customer)
    response = client.get(f"/auth/reset/{token[:-2]}xx", headers=EN)
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_reset_mail_is_dropped_when_transaction_rolls_back(app, db, customer, outbox):
    with app.test_request_context():
        services.request_password_reset(customer.email)
        db.session.rollback()
        db.session.commit()
    assert outbox.messages() == []


def test_reset_email_is_in_the_users_language(client, db, outbox):
    user = factories.user(email="en@example.com", locale="en")
    db.session.commit()
    post_form(client, "/auth/forgot", {"email": user.email})
    message = outbox.to(user.email)[0]
    assert message["Subject"] == "Reset your Taller password"


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL not set")
def test_rate_limit_is_shared_between_workers_through_redis(database_url, tmp_path):
    """Two app instances (two workers) count attempts in one Redis store."""
    import redis

    from shop import create_app
    from tests.conftest import IsolatedClient, _config

    url = os.environ["TEST_REDIS_URL"]
    redis.Redis.from_url(url).flushdb()
    config = _config(database_url, tmp_path)
    config.update(RATELIMIT_STORAGE_URI=url, AUTH_RATE_LIMIT="2 per minute")
    workers = [create_app(config), create_app(config)]
    statuses = []
    for attempt in range(3):
        worker = workers[attempt % 2]
        worker.test_client_class = IsolatedClient
        client = worker.test_client()
        with worker.app_context():
            statuses.append(
                post_form(
                    client,
                    "/auth/login",
                    {"email": "who@example.com", "password": "not the password"},
                ).status_code
            )
    redis.Redis.from_url(url).flushdb()
    assert statuses == [200, 200, 429]
