"""Admin for efficiency snapshots."""
