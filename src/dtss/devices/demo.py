"""Demo data of the devices module (journey 8), registered in `DEMO_EXTENSIONS`."""

from __future__ import annotations

import random
from collections.abc import Callable


def demo_devices(rng: random.Random, progress: Callable[[str], None]) -> None:
    """Written after the parts exist (see the module README)."""
