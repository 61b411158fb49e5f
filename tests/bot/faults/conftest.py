"""Tests that crash or restart Lotse's servers (the adapter, the action server) get a stack of
their own per module, on a database of its own with the pilot entries, so that a crash here
never leaves the shared stack of the other bot tests changed or down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.bot.conftest import LotseStack, running_stack
from tests.conftest import pilot_store


@pytest.fixture(scope="module")
def lotse_stack(tmp_path_factory) -> Iterator[LotseStack]:
    yield from running_stack(pilot_store(tmp_path_factory.mktemp("stack") / "lotse.db"))
