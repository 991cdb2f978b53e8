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


def from_address(app, address: str):
    """A browser at another network address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def register(client, **overrides):
    data = {
        "name": "Rosa Potter",
        "email": "rosa@example.com",
        "password": "barro y fuego 2026",
        "confirm": "barro y fuego 2026",
    }
    data.update(overrides)
    return post_form(client, "/auth/register", data, headers=EN)


def _link(outbox, address, path):
    body = outbox.body(outbox.to(address)[-1])
    match = re.search(rf"http://localhost({path}\S+)", body)
    assert match, body
    return match.group(1)


def test_register_creates_an_unverified_customer_and_mails_the_link(client, db, outbox):
    response = register(client, email="  Rosa@Example.COM ")
    assert response.status_code == 200
    assert "Check your e-mail to finish" in response.get_data(as_text=True)
    user = db.session.scalar(select(User))
    assert user.email == "rosa@example.com" and user.email_verified_at is None
    assert not user.is_admin
    assert user.password_hash.startswith("scrypt:")
    assert "barro" not in user.password_hash
    assert user.created_at.tzinfo is not None
    assert client.get("/auth/account").status_code == 302  # not logged in by registering
    [message] = outbox.to("rosa@example.com")
    assert message["Subject"] == "Confirm your e-mail address for Taller"
    link = _link(outbox, "rosa@example.com", "/auth/verify/")
    assert "Confirm my address" in client.get(link, headers=EN).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is None  # a GET never confirms
    assert post_form(client, link).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None
    again = post_form(client, link, headers=EN)  # single use
    assert again.status_code == 400 and "already confirmed" in again.get_data(as_text=True)
    login(client, "rosa@example.com", "barro y fuego 2026")
    assert "confirmed" in client.get("/auth/account", headers=EN).get_data(as_text=True)


def test_a_tampered_or_foreign_verification_link_is_refused(client, db):
    user = factories.user(verified=False)
    other = factories.user(verified=False)
    db.session.commit()
    token = services.make_verify_token(user)
    assert post_form(client, f"/auth/verify/{token[:-2]}xx").status_code == 400
    other.email = "changed@example.com"
    user.email = "changed-too@example.com"  # the link names the old address
    db.session.commit()
    assert post_form(client, f"/auth/verify/{token}").status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is None


def test_an_unverified_account_can_ask_for_a_new_link(client, db, outbox):
    user = factories.user(verified=False, locale="en")
    db.session.commit()
    login(client, user.email)
    page = client.get("/auth/account", headers=EN).get_data(as_text=True)
    assert "not confirmed" in page and "Send the confirmation link again" in page
    assert post_form(client, "/auth/account/verify").status_code == 302
    link = _link(outbox, user.email, "/auth/verify/")
    post_form(client, link)
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified


def test_a_password_reset_link_also_proves_the_address(client, db, outbox):
    user = factories.user(verified=False)
    db.session.commit()
    post_form(client, "/auth/forgot", {"email": user.email})
    link = _reset_link(outbox, user.email)
    post_form(client, link, {"password": "brand new password", "confirm": "brand new password"})
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified


def test_register_keeps_input_and_shows_errors_for_short_password(client, db):
    response = register(client, password="short", confirm="short")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use 12 to 256 characters." in html
    assert 'value="rosa@example.com"' in html and 'value="Rosa Potter"' in html
    assert "short" not in re.findall(r'type="password"[^>]*', html)[0]
    assert db.session.scalar(select(func.count(User.id))) == 0


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)


def test_registration_answers_the_same_for_new_and_existing_addresses(app, db, outbox):
    owner = factories.user(email="rosa@example.com", name="Rosa Owner", locale="en")
    db.session.commit()
    taken = register(app.test_client(), email="ROSA@example.com", name="Someone")
    fresh = register(app.test_client(), email="nueva@example.com", name="Someone")
    assert taken.status_code == fresh.status_code == 200
    assert _without_csrf(taken.get_data(as_text=True)).replace("rosa", "X") == _without_csrf(
        fresh.get_data(as_text=True)
    ).replace("nueva", "X")
    assert "already exists" not in taken.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 2
    db.session.expire_all()
    assert db.session.get(User, owner.id).name == "Rosa Owner"  # nothing changed
    [warning] = outbox.to("rosa@example.com")
    assert warning["Subject"] == "Someone tried to open a Taller account with your address"
    assert "/auth/forgot" in outbox.body(warning)
    assert outbox.to("nueva@example.com")[0]["Subject"].startswith("Confirm your")
    register(app.test_client(), email="rosa@example.com")
    assert len(outbox.to("rosa@example.com")) == 1  # once an hour, not once per attempt


def test_registration_is_rate_limited_per_address(app, client, db):
    app.config["AUTH_RATE_LIMIT"] = "3 per minute"
    for number in range(3):
        assert register(client, email=f"r{number}@example.com").status_code == 200
    assert register(client, email="r9@example.com").status_code == 429
    other_address = from_address(app, "10.0.0.9")
    assert register(other_address, email="r9@example.com").status_code == 200


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


def test_logout_ends_every_copy_of_the_session_and_remember_cookies(app, client, customer):
    """Issue 11 item 4: a copied session cookie and a remember_token kept working."""
    post_form(
        client,
        "/auth/login",
        {"email": customer.email, "password": factories.PASSWORD, "remember": "y"},
    )
    copied_session = client.get_cookie("session").value
    copied_remember = client.get_cookie("remember_token").value
    assert client.get("/auth/account").status_code == 200
    post_form(client, "/auth/logout")
    for name, value in (("session", copied_session), ("remember_token", copied_remember)):
        replay = app.test_client()
        replay.set_cookie(name, value)
        response = replay.get("/auth/account")
        assert response.status_code == 302, name
        assert response.headers["Location"].startswith("/auth/login")
    login(client, customer.email)  # the owner logs in again as usual
    assert client.get("/auth/account").status_code == 200


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


def test_login_is_rate_limited_per_account_and_address(app, client, customer):
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


def test_a_stranger_cannot_lock_the_owner_out(app, db, customer, outbox):
    """Issue 11 item 5: wrong passwords from one address, the owner logs in from another."""
    stranger = from_address(app, "203.0.113.7")
    statuses = [
        post_form(
            stranger, "/auth/login", {"email": customer.email, "password": "guess 123456789"}
        ).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    owner = from_address(app, "198.51.100.20")
    login(owner, customer.email)
    assert owner.get("/auth/account").status_code == 200
    assert outbox.to(customer.email) == []  # the per-account ceiling is far higher


def test_the_account_ceiling_stops_a_spread_attack_and_mails_the_owner_once(
    app, db, customer, outbox
):
    app.config["AUTH_ACCOUNT_RATE_LIMIT"] = "5 per hour"
    statuses = []
    for number in range(8):  # a different address every time: only the ceiling counts
        attacker = from_address(app, f"203.0.113.{number}")
        statuses.append(
            post_form(
                attacker, "/auth/login", {"email": customer.email, "password": "guess 123456789"}
            ).status_code
        )
    assert statuses == [200] * 5 + [429] * 3
    [warning] = outbox.to(customer.email)
    assert "failed" in warning["Subject"].lower() or "fallidos" in warning["Subject"]
    assert "/auth/forgot" in outbox.body(warning)


def test_a_successful_login_does_not_count_toward_the_account_limits(app, client, customer):
    app.config["AUTH_RATE_LIMIT"] = "2 per minute"
    for _ in range(4):
        login(client, customer.email)
        post_form(client, "/auth/logout")


def test_login_is_rate_limited_per_address_across_accounts(app, client, customer):
    app.config["AUTH_ADDRESS_RATE_LIMIT"] = "3 per minute"
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
    # Change the signature's first character: its last ones may carry ignored padding bits.
    head, _, signature = token.rpartition(".")
    tampered = f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    response = client.get(f"/auth/reset/{tampered}", headers=EN)
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


def _post_at_once(app, path, clients, payloads) -> list[int]:
    """Each client posts its payload to path from its own thread, released together."""
    import threading

    from shop.extensions import db as _db

    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def post(index: int) -> None:
        with app.app_context():
            barrier.wait()
            statuses.append(clients[index].post(path, data=payloads[index]).status_code)
            _db.session.remove()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_a_reset_link_posted_four_times_at_once_works_exactly_once(pg_app, db):
    """Issue 11 item 7 (PostgreSQL, real threads): 4 simultaneous posts of one link used to
    give 4 successes; the conditional update on the password hash lets exactly one win."""
    from shop.extensions import db as _db

    for round_number in range(3):
        user = factories.user()
        db.session.commit()
        with pg_app.app_context(), pg_app.test_request_context():
            token = services.make_reset_token(_db.session.get(User, user.id))
            _db.session.remove()
        link = f"/auth/reset/{token}"
        clients, payloads = [], []
        with pg_app.app_context():
            for index in range(4):
                racer = pg_app.test_client()
                racer.environ_base["REMOTE_ADDR"] = f"10.1.{round_number}.{index}"
                password = f"racing password {index}"
                payloads.append(
                    {
                        "csrf_token": csrf_token(racer, link),
                        "password": password,
                        "confirm": password,
                    }
                )
                clients.append(racer)
            _db.session.remove()
        statuses = _post_at_once(pg_app, link, clients, payloads)
        assert sorted(statuses) == [302, 400, 400, 400], statuses
        db.session.expire_all()
        winners = [
            i
            for i in range(4)
            if db.session.get(User, user.id).check_password(f"racing password {i}")
        ]
        assert len(winners) == 1
