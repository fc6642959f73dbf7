"""Installation checks shared by ``jingwu check`` and the test suite."""

from __future__ import annotations

from pathlib import Path

FONT = Path(__file__).resolve().parent.parent / "static" / "fonts" / "NotoSansSC-Regular.ttf"


def cjk_font_path() -> Path:
    """The bundled CJK font used for Chinese text in PDFs and charts; fails loudly if missing."""
    if not FONT.is_file() or FONT.stat().st_size < 1_000_000:
        raise FileNotFoundError(f"the bundled CJK font is missing: {FONT}")
    return FONT
