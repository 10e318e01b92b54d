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


def max_upload_bytes() -> int:
    """The largest CRM export (all files of one import together) the web tier accepts."""
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def upload_too_large(sizes: list[int]) -> str:
    """The error for uploads above IMPORT_MAX_UPLOAD_BYTES ("" when within it)."""
    total, limit = sum(sizes), max_upload_bytes()
    if total <= limit:
        return ""
    mb = 1024 * 1024
    return (
        f"The files are {total / mb:.1f} MB together; the limit is {limit / mb:.1f} MB "
        "(IMPORT_MAX_UPLOAD_BYTES). Split the export, or import it with manage.py import_crm."
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
