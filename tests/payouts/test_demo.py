"""The demo potter's money: completed orders, a bank transfer paid, a balance due."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.artisans.models import Artisan
from shop.payouts import ledger, rules
from shop.payouts import services as payouts
from shop.payouts.models import Payout, PayoutMethod

# The demo's pictures are the same at every seed: encode each once per process (see conftest).
pytestmark = pytest.mark.usefixtures("reuse_encoded_pictures")


def test_demo_potter_has_sales_a_bank_transfer_and_a_payout_due(runner, db):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    potter = db.session.scalar(select(Artisan).where(Artisan.slug == "barro-vivo"))
    money = ledger.balances(potter.id)
    # Her three completed orders and the reviewed demo purchases (shop/demo_trust.py) are
    # payable; a bank transfer of $32.40 is paid; the school group's seats are pending.
    assert (money.available, money.paid_out) == (17190, 3240)
    assert money.sales - money.commission == money.available + money.paid_out + money.pending
    [payout] = db.session.scalars(select(Payout)).all()
    assert (payout.method, payout.reference) == (PayoutMethod.BANK_TRANSFER, "PICHINCHA-000451")
    due = payouts.payouts_due(rules.PAYOUT_THRESHOLD_CENTS.get())
    assert [(d.artisan.id, d.available) for d in due] == [(potter.id, 17190)]
