"""Where OCR ended a line of report text.

OCR turned line breaks into ". ", so a period ends a line only when a capital, digit or list mark follows; a line or
page break always does. One rule for the sentence splitter (``extract.nlp``) and the flattened-table reader
(``extract.shifted_tables``), kept here because neither can import the other's module: ``extract.nlp`` imports the
extractors, which use ``extract.shifted_tables``.
"""

from __future__ import annotations

import re

#: What starts a line after ". ": a capital, digit or list mark.
LINE_HEAD = r"[A-Z0-9(\-#\[]"

#: A line end; the next line starts where the match ends. Written to start with a character class, which the regex
#: engine scans for fast.
LINE_BREAK = re.compile(rf"[.\n\f](?:(?<=\.)[ \t]+(?={LINE_HEAD})|(?<=[\n\f])\s*)")
