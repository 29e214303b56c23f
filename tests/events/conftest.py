"""Fixtures for the events tests."""

from __future__ import annotations

import pytest

from app.events.models import Booking
from tests.events.booking_support import BOOKING_SIGNALS


@pytest.fixture
def sent():
    """Every booking signal sent during the test, as (signal name, booking, keyword args)."""
    log: list[tuple[str, Booking, dict]] = []
    receivers = []
    for signal in BOOKING_SIGNALS:
        def receiver(sender, _name=signal.name, **kwargs):
            log.append((_name, sender, kwargs))
        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
    yield log
    for signal, receiver in receivers:
        signal.disconnect(receiver)
