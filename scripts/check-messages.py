"""Fail when a zh-Hans translation is missing or fuzzy, or a compiled catalogue is stale."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src" / "jingwu" / "locale"


def main() -> int:
    problems = []
    po = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    for entry in po.untranslated_entries():
        problems.append(f"untranslated: {entry.msgid!r}")
    for entry in po.fuzzy_entries():
        problems.append(f"fuzzy: {entry.msgid!r}")
    for lang in ("zh_Hans", "en"):
        src = LOCALE / lang / "LC_MESSAGES" / "django.po"
        mo = src.with_suffix(".mo")
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "django.mo"
            subprocess.run(["msgfmt", "-o", str(fresh), str(src)], check=True)
            if not mo.exists() or fresh.read_bytes() != mo.read_bytes():
                problems.append(f"{mo} is stale: run 'make messages'")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"messages: {len(po)} entries, {po.percent_translated()}% translated, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
