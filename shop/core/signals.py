"""Signals: how a lower layer tells a higher one that something happened (no upward imports).

Each signal's sender is the thing it is about; receivers run inside the same transaction.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# inventory -> waitlist: seats of a class session became free (sender: the session id).
seats_freed = _signals.signal("seats-freed")
# artisans/classes -> waitlist: classes became public again (sender: a list of class ids).
classes_public_again = _signals.signal("classes-public-again")
# artisans -> waitlist: an approved workshop became public again (sender: the artisan id).
artisan_public_again = _signals.signal("artisan-public-again")
# artisans -> catalog: an artisan's public details changed (sender: the artisan).
artisan_changed = _signals.signal("artisan-changed")
# orders -> payouts: an order was paid (sender: the order), in the paying transaction.
order_paid = _signals.signal("order-paid")
# orders -> payouts: an artisan's part moved on (sender: the group; status=the new status).
fulfilment_changed = _signals.signal("fulfilment-changed")
# payments -> payouts: a refund row was written (sender: the Refund).
refund_recorded = _signals.signal("refund-recorded")
# payments -> payouts: a verified gateway event about a transfer (sender: the event); the
# receiver's return value is the outcome the webhook reports.
transfer_event = _signals.signal("transfer-event")
