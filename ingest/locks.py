"""Process-wide locks around libraries that are not thread-safe.

PDFium (pypdfium2) must not be entered from two threads at once, even for different documents. The service reads
uploads from several threads, so every PDFium call in this process holds :data:`PDFIUM_LOCK`; OCR worker processes
are also forked under it, so no child inherits PDFium halfway through a call.
"""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.RLock()
