"""Moderation: admins hide listings, suspend accounts and appoint admins; an audit trail."""
