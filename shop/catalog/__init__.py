"""Catalogue: products, categories, photos, search."""
