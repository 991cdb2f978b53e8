"""Artisans get paid: commission, the earnings ledger, payouts and statements."""
