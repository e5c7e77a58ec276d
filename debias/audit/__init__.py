"""Audits: judge models' predictions by subgroup; write report.html, result.json, tables."""

from debias.audit._compare import change_code, none_if_nan
from debias.audit._config import AuditRun, CounterfactualSettings
from debias.audit._findings import fails
from debias.audit._pipeline import run_audit
from debias.audit._result import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "AuditRun", "CounterfactualSettings", "change_code", "fails",
           "none_if_nan", "run_audit"]
