"""Rendering of audit results (plain dicts / ``result.json``) into one self-contained HTML report.

This package imports neither torch nor ``debias``: a report can be re-rendered from
``result.json`` alone.
"""

from __future__ import annotations

from reports._classes import ClassWords, class_words, classes_record
from reports._compare_page import render_comparison
from reports._pdf import PdfError, find_chromium, write_pdf
from reports._render import render_html, write_report
from reports._schema import SCHEMA_VERSION, ResultSchemaError, load_result, validate_result

__all__ = ["SCHEMA_VERSION", "ClassWords", "PdfError", "ResultSchemaError", "class_words",
           "classes_record", "find_chromium", "load_result", "render_comparison", "render_html",
           "validate_result", "write_pdf", "write_report"]
