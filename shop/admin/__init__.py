"""Administration: approvals, moderation, audit log."""
