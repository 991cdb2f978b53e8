"""Read-only JSON API for partners: /api/v1 (documented at /api/v1/openapi.json)."""
