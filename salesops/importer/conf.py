"""Importer settings, each overridable in Django settings (all optional)."""

from __future__ import annotations

from django.conf import settings

# Foreign CRM stage names (compared case-insensitively) → our stages. --stage-map overrides keys.
DEFAULT_STAGE_MAP: dict[str, str] = {
    "prospecting": "prospecting",
    "engaging": "needs_assessment",
    "won": "won",
    "lost": "lost",
}

# Sectors a sector in the file is compared with (besides the other sectors in the file and those
# already stored) to flag likely typos such as "technolgy".
DEFAULT_KNOWN_SECTORS: tuple[str, ...] = (
    "technology",
    "software",
    "finance",
    "medical",
    "retail",
    "marketing",
    "telecommunications",
    "entertainment",
    "employment",
    "services",
    "manufacturing",
    "energy",
    "education",
    "government",
)


def batch_size() -> int:
    return int(getattr(settings, "IMPORT_BATCH_SIZE", 2000))


def max_issues_per_file() -> int:
    """Problems listed in detail per file; the counts stay exact beyond it."""
    return int(getattr(settings, "IMPORT_MAX_ISSUES_PER_FILE", 1000))


def known_sectors() -> tuple[str, ...]:
    return tuple(getattr(settings, "IMPORT_KNOWN_SECTORS", DEFAULT_KNOWN_SECTORS))


def progress_min_rows() -> int:
    """Files shorter than this get no progress bar."""
    return int(getattr(settings, "IMPORT_PROGRESS_MIN_ROWS", 1000))
