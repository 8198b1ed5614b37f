"""An approved field agent of Kantor Cabang Malang serving Kabupaten Malang (35.07)."""

from __future__ import annotations

from typing import Any

import pytest

from cakupan.accounts.models import User
from cakupan.fieldapp.tests.agents import make_agent


@pytest.fixture
def agent(world: Any) -> User:
    return make_agent(world)
