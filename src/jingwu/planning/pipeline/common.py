"""Small helpers the steps share: rounding for JSON, a unit's names."""

from __future__ import annotations

import math


def rounded(x: float | None, n: int = 2) -> float | None:
    """``x`` rounded to ``n`` places for the results (JSON has no NaN or infinity: ``None``)."""
    if x is None:
        return None
    x = float(x)
    return round(x, n) if math.isfinite(x) else None


def names(u) -> dict[str, str]:
    """A unit's names in both languages, as the results store them."""
    return {"zh": u.name_zh, "en": u.name_en}
