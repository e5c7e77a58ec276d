"""Rendering of audit results (plain dicts / ``result.json``) into HTML.

This package imports neither torch nor ``debias``.
"""

__all__: list[str] = []
