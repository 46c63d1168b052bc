"""Bytes in, a :class:`~ingest.document.Document` out: text with a map from every character to its page and box."""
