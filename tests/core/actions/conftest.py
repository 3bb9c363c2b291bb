"""A fresh demo hall for every test of the actions, on the fixed Monday of `helpers.NOW`."""
from __future__ import annotations

import pytest

from core.forecast.live import WaitEstimator
from core.hall import Hall
from tests.core.actions.helpers import TODAY


@pytest.fixture
def hall(settings) -> Hall:
    return Hall(settings, TODAY, WaitEstimator())
