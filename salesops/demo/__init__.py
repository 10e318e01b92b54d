"""Synthetic, deterministic demo data for SalesOps (`manage.py seed_demo`). See docs/demo-data.md."""

from salesops.demo.seed import (
    SCALES,
    DemoError,
    DemoSize,
    core_data_exists,
    demo_digest,
    demo_seed,
    demo_size,
)

__all__ = [
    "SCALES",
    "DemoError",
    "DemoSize",
    "core_data_exists",
    "demo_digest",
    "demo_seed",
    "demo_size",
]
