"""Audits: judge models' predictions by subgroup; write report.html, result.json, tables."""

from debias.audit._config import AuditRun, CounterfactualSettings
from debias.audit._findings import fails
from debias.audit._pipeline import run_audit
from debias.audit._result import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "AuditRun", "CounterfactualSettings", "fails",
           "run_audit"]
