"""The suite's own speed settings (tests/conftest.py, tests/settings.py): `make test` runs a share of
each property test's stated examples (HYPOTHESIS_PROFILE), and under pytest-xdist every worker
has a Redis database of its own."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import HYPOTHESIS_SHARE, MIN_EXAMPLES, hypothesis_profile, scaled_examples

STATED = 40
CALLS: list[int] = []


@hypothesis_settings(max_examples=STATED, database=None, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_a_property_runs_the_profiles_share_of_its_stated_examples(value: int) -> None:
    CALLS.append(value)


def test_the_property_above_ran_no_more_than_its_share() -> None:
    share = HYPOTHESIS_SHARE[hypothesis_profile()]
    expected = scaled_examples(STATED, share)
    test = test_a_property_runs_the_profiles_share_of_its_stated_examples
    assert test._hypothesis_internal_use_settings.max_examples == expected
    assert 0 < len(CALLS) <= expected
    if hypothesis_profile() == "suite":
        assert expected == 10 < STATED


def test_scaled_counts_keep_a_floor_and_never_raise_a_small_count() -> None:
    assert scaled_examples(200, 0.25) == 50
    assert scaled_examples(150, 0.25) == 38
    assert scaled_examples(20, 0.25) == MIN_EXAMPLES
    assert scaled_examples(8, 0.25) == 8  # a test asking for fewer than the floor keeps its count
    assert scaled_examples(200, 1.0) == 200


@pytest.mark.parametrize(
    ("base", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/5", "gw0", "redis://127.0.0.1:6379/5"),
        ("redis://127.0.0.1:6379/5", "gw1", "redis://127.0.0.1:6379/6"),
        ("redis://127.0.0.1:63790", "gw1", "redis://127.0.0.1:63790/1"),
        ("redis://127.0.0.1:6379/0", "", "redis://127.0.0.1:6379/0"),
    ],
)
def test_each_xdist_worker_gets_its_own_redis_database_and_children_keep_it(
    monkeypatch: pytest.MonkeyPatch, base: str, worker: str, expected: str
) -> None:
    # setenv first: monkeypatch then restores the variable as it was (set or not) afterwards.
    monkeypatch.setenv("SALESOPS_TEST_REDIS_BASE_URL", "")
    monkeypatch.delenv("SALESOPS_TEST_REDIS_BASE_URL")
    monkeypatch.setenv("REDIS_URL", base)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
    settings_module = sys.modules["tests.settings"]
    settings_module._redis_db_per_xdist_worker()
    assert os.environ["REDIS_URL"] == expected
    # A process the worker starts loads the settings again with the same environment: same db.
    settings_module._redis_db_per_xdist_worker()
    assert os.environ["REDIS_URL"] == expected
