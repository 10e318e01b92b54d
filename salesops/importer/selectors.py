"""Reads of the import history: sales ops and admins only."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from salesops.models import ImportRun
from salesops.selectors.scope import sees_everything


def import_run_list(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ImportRun]:
    if not sees_everything(user):
        return ImportRun.objects.none()
    return ImportRun.objects.select_related("user").order_by("-started_at", "-id")


def import_run_get(*, user: AbstractBaseUser | AnonymousUser, run_id: int) -> ImportRun:
    run = import_run_list(user=user).filter(pk=run_id).first()
    if run is None:
        raise Http404("No such import run.")
    return run
