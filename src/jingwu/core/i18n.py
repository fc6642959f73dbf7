"""Bilingual labels for the controlled vocabulary in ``jingwu.engine.vocab``.

The vocabulary carries its own Chinese and English labels (one source for code,
engine, imports and UI), so choices are built from it instead of from gettext
catalogues. Labels are lazy: they follow the language active when rendered.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import lazy
from django.utils.translation import get_language

from jingwu.engine.vocab import Term


def is_chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def pick(zh: str, en: str) -> str:
    """Return the Chinese or English text for the active language."""
    return zh if is_chinese() else en


pick_lazy = lazy(pick, str)


def choices(terms: Iterable[Term]) -> list[tuple[str, str]]:
    return [(t.code, pick_lazy(t.zh, t.en)) for t in terms]


def label(terms: Iterable[Term], code: str | None) -> str:
    for t in terms:
        if t.code == code:
            return pick(t.zh, t.en)
    return code or ""
