"""Text from users (attribute values, file names, paths) made safe to print on a terminal.

Rule
----
A dataset can carry any text: an attribute value or a file name may hold ANSI/OSC escape
sequences (``\\x1b[2J`` clears the screen, ``\\x1b]0;title\\x07`` sets the window title even
through a pipe or a log file shown with ``cat``), a carriage return that overwrites the start
of a line, or a newline that forges a line of output. Whatever the command line prints that
can contain such text goes through :func:`terminal_safe` (and, for strings that can be
arbitrarily long, :func:`shorten`; :func:`one_line` does both, for error messages):

- C0 controls (U+0000-U+001F), DEL (U+007F) and C1 controls (U+0080-U+009F) become visible
  escapes as Python writes them: ``\\x1b``, ``\\x07``, ``\\r``, ``\\n``, ``\\t``.
  ``\\n`` is kept only with ``keep_newlines=True``, for a whole message the tool composed of
  several lines; a single-line user string has every control escaped, newline and tab too.
- Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069, the "Trojan Source"
  characters that reorder what is shown) become ``\\u202e``-style escapes, and so do lone
  surrogates (undecodable bytes of a file name kept by ``surrogateescape``), which could not
  even be encoded for output.
- Everything else, non-ASCII letters included, is kept. A backslash is not doubled, so
  the text ``\\x1b`` and an escaped ESC look alike: this is for reading, not a reversible
  encoding (``--json`` and result.json keep the raw value).

JSON printed on the terminal (``debias inspect --json``) goes through :func:`json_text_safe`:
``json.dumps`` already writes C0 controls as ``\\u001b``, and this writes the rest (DEL, C1,
bidi controls, lone surrogates) as ``\\uXXXX`` escapes too, so the JSON still parses to the
raw values.

The functions are idempotent: their output contains no character they would change again.
"""

from __future__ import annotations

import re

__all__ = ["json_text_safe", "one_line", "shorten", "terminal_safe"]

# C0, DEL, C1; bidi embeddings/overrides and isolates; lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_KEEP_NEWLINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                                   "\ud800-\udfff]")
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control characters as visible escapes (``"\\x1b[2J"`` -> ``"\\\\x1b[2J"``).

    ``keep_newlines=True`` keeps ``\\n`` for a multi-line message; every other control
    character (``\\t`` and ``\\r`` included) is escaped either way.
    """
    pattern = _UNSAFE_KEEP_NEWLINES if keep_newlines else _UNSAFE
    return pattern.sub(_escape, str(text))


def shorten(text: str, limit: int = 200) -> str:
    """``text`` cut to at most ``limit`` characters, keeping its start and its end around an
    ellipsis that says how much was left out: ``"/data/aaaa...(9,870 more)...aaaa.png"``.

    Text of ``limit`` characters or fewer is returned as it is. A ``limit`` smaller than the
    marker (about 20 characters) still keeps one character at each end, so the result is then
    a little longer than ``limit``.
    """
    text = str(text)
    if len(text) <= limit:
        return text
    # The marker's length depends on the count it shows; size it for the largest count.
    marker_len = len(f"...({len(text):,} more)...")
    keep = max(limit - marker_len, 2)
    head, tail = (keep + 1) // 2, keep // 2
    return f"{text[:head]}...({len(text) - head - tail:,} more)...{text[len(text) - tail:]}"


def one_line(text: str, limit: int = 300, *, word_limit: int = 120) -> str:
    """A message as one safe line of at most ``limit`` characters (an error message).

    Controls (newlines included) are escaped; then every run of non-space characters longer
    than ``word_limit`` (a long path or value embedded in the message) is shortened on its
    own, so the words around it survive; then the whole line is shortened to ``limit``.
    """
    safe = terminal_safe(text)
    safe = re.sub(r"\S{%d,}" % (word_limit + 1), lambda m: shorten(m.group(), word_limit), safe)
    return shorten(safe, limit)


def json_text_safe(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with the characters a terminal would
    act on that JSON leaves raw (DEL, C1, bidi controls, lone surrogates) as ``\\uXXXX``
    escapes: still valid JSON, parsing to the same values. Control characters outside strings
    (the indentation's newlines) cannot be among them."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
