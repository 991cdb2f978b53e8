"""Accounts: registration, log-in, log-out and password reset."""
