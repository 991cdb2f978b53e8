"""Inventory: the only writers of product stock and class session seats."""
