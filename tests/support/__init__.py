"""Shared test helpers: page renderers and a minimal PDF writer, so tests build their inputs, not ship them."""
