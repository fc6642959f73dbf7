"""The fonts a PDF's text is drawn with, read from the document itself (pdfium)."""

from __future__ import annotations

import ctypes


def text_fonts(pdf) -> set[tuple[str, bool, int]]:
    """``{(font name, embedded, bytes of embedded font data)}`` over every text object of every
    page of ``pdf`` (a path or the bytes)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(pdf)
    out = set()
    try:
        for page in doc:
            for obj in page.get_objects():
                if obj.type != raw.FPDF_PAGEOBJ_TEXT:
                    continue
                font = raw.FPDFTextObj_GetFont(obj)
                n = raw.FPDFFont_GetFontName(font, None, 0)
                name = ctypes.create_string_buffer(n)
                raw.FPDFFont_GetFontName(font, name, n)
                size = ctypes.c_size_t(0)
                raw.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
                out.add((name.value.decode(), bool(raw.FPDFFont_GetIsEmbedded(font)), size.value))
            page.close()
    finally:
        doc.close()
    return out
