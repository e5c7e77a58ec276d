"""Rendering of audit results (plain dicts / ``result.json``) into one self-contained HTML report.

This package imports neither torch nor ``debias``: a report can be re-rendered from
``result.json`` alone.
"""

from __future__ import annotations

from reports._classes import ClassWords, class_words, classes_record
from reports._render import render_html, write_report
from reports._schema import SCHEMA_VERSION, ResultSchemaError, load_result, validate_result

__all__ = ["SCHEMA_VERSION", "ClassWords", "ResultSchemaError", "class_words", "classes_record",
           "load_result", "render_html", "validate_result", "write_report"]
