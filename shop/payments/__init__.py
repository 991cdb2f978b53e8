"""Payments: the gateway interface, the offline demo gateway, payment confirmation."""
