"""Demo data of the compensation app, called by `manage.py seed_demo` after the core data exists."""

from __future__ import annotations


def seed_demo(*, seed: int, scale: str) -> None:
    """Add this app's demo rows. Deterministic for a given seed; scale is 'small' or 'large'."""
