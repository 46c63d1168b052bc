"""Navis Records: shared kernel (settings, error tree, version) used by every stage and edge."""

__version__ = "0.1.0"
