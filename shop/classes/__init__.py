"""Classes: workshops that artisans teach, their dated sessions, and the public pages."""
