"""Plug-in points where other apps react to core changes, without the core importing them.

An app registers a callable in its AppConfig.ready(); core services call `accounts_changed` from
`transaction.on_commit`, so listeners only ever see committed data. This is an explicit registry,
not a Django signal: the call sites are the services, and they are easy to find.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

AccountListener = Callable[[list[int]], None]
_account_listeners: list[AccountListener] = []


def register_account_listener(listener: AccountListener) -> None:
    if listener not in _account_listeners:
        _account_listeners.append(listener)


def accounts_changed(account_ids: Iterable[int]) -> None:
    """Tell listeners (e.g. territory assignment) that these accounts were created or edited."""
    ids = sorted(set(account_ids))
    if not ids:
        return
    for listener in list(_account_listeners):
        listener(ids)


PublishListener = Callable[[date], None]
_publish_listeners: list[PublishListener] = []


def register_publish_listener(listener: PublishListener) -> None:
    if listener not in _publish_listeners:
        _publish_listeners.append(listener)


def efficiency_published(as_of: date) -> None:
    """Tell listeners (the dashboard's deal snapshots) that the nightly run published `as_of`."""
    for listener in list(_publish_listeners):
        listener(as_of)
