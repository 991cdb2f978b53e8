"""Artisans: applications, the public profile, SDG and GCM goals."""
