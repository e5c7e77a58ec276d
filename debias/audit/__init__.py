"""Audits: judge a model's predictions by subgroup and write result.json + tables."""

from debias.audit._external import audit_external
from debias.audit._result import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "audit_external"]
