"""Every model module, imported once so the metadata (migrations, drift test) has every table."""
