"""Command-line tasks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop.auth.models import User
from tests import factories

# The demo's pictures are the same at every seed: encode each once per process (see conftest).
pytestmark = pytest.mark.usefixtures("reuse_encoded_pictures")


def test_create_admin_makes_a_new_administrator(runner, db):
    result = runner.invoke(
        args=["create-admin", "boss@example.com", "--name", "Boss"],
        input="a long admin password\na long admin password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.is_admin and user.check_password("a long admin password")


def test_create_admin_promotes_an_existing_account(runner, db):
    existing = factories.user(email="promote@example.com")
    db.session.commit()
    result = runner.invoke(
        args=["create-admin", "PROMOTE@example.com"],
        input="another admin password\nanother admin password\n",
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, existing.id).is_admin


def test_create_admin_refuses_a_short_password(runner, db):
    result = runner.invoke(args=["create-admin", "boss@example.com"], input="short\nshort\n")
    assert result.exit_code != 0
    assert "12" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_seed_demo_runs_once_and_prints_logins(runner, db):
    from shop.demo import DEMO_LOGINS

    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo data loaded." in first.output
    for _role, email, password in DEMO_LOGINS:
        assert email in first.output and password in first.output
    count = db.session.scalar(select(func.count(User.id)))
    second = runner.invoke(args=["seed-demo"])
    assert "already present" in second.output
    assert db.session.scalar(select(func.count(User.id))) == count


def test_demo_logins_work(app, runner, db):
    from shop.demo import DEMO_LOGINS
    from tests.conftest import login

    runner.invoke(args=["seed-demo"])
    for _role, email, password in DEMO_LOGINS:
        client = app.test_client()
        login(client, email, password)
        assert client.get("/auth/account").status_code == 200


def test_demo_has_a_public_workshop_with_products_and_a_class(runner, client, db):
    runner.invoke(args=["seed-demo"])
    assert client.get("/artisans/barro-vivo").status_code == 200
    listing = client.get("/products").get_data(as_text=True)
    assert "Taza de gres esmaltada" in listing
    classes = client.get("/classes").get_data(as_text=True)
    assert "Cerámica para principiantes" in classes
    assert client.get("/classes/ceramica-para-principiantes").status_code == 200


def test_demo_has_a_full_session_whose_waitlist_can_be_joined(runner, client, db):
    runner.invoke(args=["seed-demo"])
    page = client.get("/classes/ceramica-para-principiantes").get_data(as_text=True)
    assert page.count("Apuntarme a la lista de espera") == 2  # one session: summary and button
    assert page.count("Reservar cupos") == 7  # the seven others can be booked
