"""Resolving names from a file to known records, in memory (dicts loaded once per import)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
_SPACE = re.compile(r"\s+")


def squash(name: str) -> str:
    """The key two names share when they differ only in case or spacing."""
    return _SPACE.sub("", name).casefold()


@dataclass(frozen=True)
class Match(Generic[T]):
    value: T | None
    canonical: str = ""
    # Set when the name matched a known name only after ignoring case and spacing.
    near: bool = False
    # Set when several known names are equally close: nothing is matched.
    ambiguous: tuple[str, ...] = ()


class NameIndex(Generic[T]):
    """Known names → a value (an id, a dataclass …).

    Exact names match silently (case-insensitive, like the database's unique constraints); a name
    that differs only in case or spacing from exactly one known name matches as `near`.
    """

    def __init__(self) -> None:
        self._exact: dict[str, tuple[str, T]] = {}
        self._squashed: dict[str, dict[str, str]] = {}

    def __len__(self) -> int:
        return len(self._exact)

    def add(self, name: str, value: T) -> None:
        key = name.casefold()
        self._exact[key] = (name, value)
        self._squashed.setdefault(squash(name), {})[key] = name

    def find(self, name: str) -> Match[T]:
        hit = self._exact.get(name.casefold())
        if hit is not None:
            canonical, value = hit
            return Match(value=value, canonical=canonical, near=canonical != name)
        candidates = self._squashed.get(squash(name), {})
        if len(candidates) == 1:
            canonical, value = self._exact[next(iter(candidates))]
            return Match(value=value, canonical=canonical, near=True)
        return Match(value=None, ambiguous=tuple(sorted(candidates.values())))

    def names(self) -> Iterable[str]:
        return (name for name, _ in self._exact.values())


def one_edit_apart(a: str, b: str) -> bool:
    """True when b is a insertion, deletion, substitution or adjacent swap away from a."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one longer: dropping one character of b gives a.
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]
