"""The settings mypy's Django plugin loads (pyproject.toml): the project's settings in development
mode, so type checking needs no SECRET_KEY (salesops.settings defaults to DEBUG=False)."""

import os

os.environ.setdefault("DEBUG", "True")

from salesops.settings import *  # noqa: F403
