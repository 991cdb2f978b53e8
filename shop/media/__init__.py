"""Uploaded photos: checked, re-encoded without metadata, stored, served."""
