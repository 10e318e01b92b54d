"""Admin registrations, one module per part of the core app."""

from salesops.admin import core, efficiency, imports

__all__ = ["core", "efficiency", "imports"]
