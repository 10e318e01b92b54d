"""Greedy rebalancing between sibling territories (pure; the selector feeds it from SQL).

Each step moves one unit (an account, or a whole country when countries are kept whole) from the
sibling with the largest potential to the one with the smallest. Moving v from H to L changes
Σx² by 2v² − 2v(H − L), so a move reduces the spread exactly when 0 < v < H − L; among those the
unit closest to (H − L)/2 reduces it most. The mean is unchanged, so the coefficient of variation
strictly falls with every move and max/min never grows. Stops at the cap or when no unit helps.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Unit:
    key: str
    territory_id: int
    value: Decimal
    account_ids: tuple[int, ...]


@dataclass(frozen=True)
class Move:
    unit: Unit
    from_id: int
    to_id: int


def greedy_moves(
    totals: Mapping[int, Decimal], units: Sequence[Unit], *, max_moves: int
) -> tuple[list[Move], dict[int, Decimal]]:
    """Moves (in order) and the totals after them. Deterministic for given inputs."""
    after = {tid: Decimal(v) for tid, v in totals.items()}
    pools: dict[int, list[tuple[Decimal, str, Unit]]] = {tid: [] for tid in after}
    for unit in units:
        if unit.territory_id in pools and unit.value > 0:
            pools[unit.territory_id].append((unit.value, unit.key, unit))
    for pool in pools.values():
        pool.sort(key=lambda item: (item[0], item[1]))
    moves: list[Move] = []
    if len(after) < 2:
        return moves, after
    while len(moves) < max_moves:
        hi = max(after, key=lambda t: (after[t], -t))
        lo = min(after, key=lambda t: (after[t], t))
        gap = after[hi] - after[lo]
        pick = _best(pools[hi], gap)
        if pick is None:
            break
        value, _, unit = pools[hi].pop(pick)
        after[hi] -= value
        after[lo] += value
        moves.append(Move(unit=unit, from_id=hi, to_id=lo))
    return moves, after


def _best(pool: list[tuple[Decimal, str, Unit]], gap: Decimal) -> int | None:
    """Index of the unit with 0 < v < gap closest to gap/2 (ties: the smaller value)."""
    if gap <= 0 or not pool:
        return None
    half = gap / 2
    i = bisect.bisect_left([item[0] for item in pool], half)
    best: int | None = None
    for j in (i - 1, i):
        in_range = 0 <= j < len(pool) and 0 < pool[j][0] < gap
        if in_range and (best is None or abs(pool[j][0] - half) < abs(pool[best][0] - half)):
            best = j
    return best
