"""Two audits compared: before and after a fix, or two vendors' models (``debias compare``)."""

from debias.compare._compare import compare_audits
from debias.compare._pairing import Pairing, detect_pairing
from debias.compare._sides import AuditSide, load_side, read_scores
from debias.compare._words import terminal_lines
from debias.compare._write import output_paths, write_comparison

__all__ = ["AuditSide", "Pairing", "compare_audits", "detect_pairing", "load_side",
           "output_paths", "read_scores", "terminal_lines", "write_comparison"]
