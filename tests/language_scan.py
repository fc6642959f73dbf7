"""The text a user reads on a page, and the Latin-letter words left in it (for Chinese pages).

Used by the page tests and by ``scripts/screenshots.py --walk``. What a page shows *as
it is* (a unit's code, a file name, a value read from a file, the field names a mapping
uses) is marked ``translate="no"`` (the HTML attribute for text that must not be
translated) or set in ``<code>``, and skipped; so is text marked as another language
(``lang="en"``: the language menu names English in English).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Words that stay as they are in Chinese text: file formats, a library's credit line, an
# abbreviation Chinese users read as is, the method names in the planning notes, the
# letters naming the two scenarios of a comparison, a loanword in premises names (KTV).
ALLOWED = {
    "A",
    "B",
    "CSV",
    "TSV",
    "UTF",
    "GBK",
    "GeoJSON",
    "gzip",
    "xlsx",
    "Excel",
    "PDF",
    "KTV",
    "HTML",
    "JSON",
    "Leaflet",
    "ID",
    "IP",
    "API",
    "SHA",
    "Wilson",
    "Weiss",
    "CP-SAT",
    "km",
    "h",
}

_WORD = re.compile(r"[A-Za-z][A-Za-z_.\-]*[A-Za-z]|[A-Za-z]")
_SKIP_TAGS = {"script", "style", "template", "noscript", "code"}
_READ_ATTRS = ("title", "placeholder", "aria-label", "alt")


class _Text(HTMLParser):
    """The text a user reads: element text and a few attributes, minus scripts and codes."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        lang = (a.get("lang") or "zh").lower()
        skip = tag in _SKIP_TAGS or a.get("translate") == "no" or not lang.startswith("zh")
        if not skip and not self._skipping():
            self.parts.extend(a[k] for k in _READ_ATTRS if a.get(k))
            if tag == "input" and a.get("type") in {"submit", "button"} and a.get("value"):
                self.parts.append(a["value"])
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    """Latin-letter words in what a user reads, except the allowed ones and tokens with digits."""
    parser = _Text()
    parser.feed(html)
    found = set()
    for token in " ".join(parser.parts).split():
        if any(ch.isdigit() for ch in token):
            continue  # numbers, codes with digits (S01, J3305...), user names of the test county
        for word in _WORD.findall(token):
            if word not in ALLOWED:
                found.add(word)
    return found
