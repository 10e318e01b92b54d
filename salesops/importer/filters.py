from __future__ import annotations

import django_filters

from salesops.models import ImportRun


class ImportRunFilter(django_filters.FilterSet):
    class Meta:
        model = ImportRun
        fields = ["status", "origin", "dry_run", "strict"]
