"""Hostile text in a dataset (attribute values, file names) reaching a spreadsheet or a terminal.

CSV: a cell starting with ``= + - @``, tab or CR is run as a formula by a spreadsheet; every CSV
the tool writes prefixes such text cells with ``'`` (numbers stay numbers), JSON keeps the raw
value. Terminal: escape sequences in user data are printed as visible ``\\x1b`` escapes, and an
error quoting a huge path is one short line.
"""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from debias._atomic import write_csv
from debias._terminal import json_text_safe, one_line, shorten, terminal_safe
from tests.e2e.cli import run_cli
from tests.helpers import face_rows, write_csv_dataset

HYPERLINK = '=HYPERLINK("http://evil.example","x")'
ESCAPES = "evil\x1b[2J\x1b]0;pwned\x07"  # clear the screen; OSC: set the window title
ESCAPES_SHOWN = "evil\\x1b[2J\\x1b]0;pwned\\x07"
HOSTILE = [HYPERLINK, "@SUM(1)", "+cmd|' /C calc'!A0", "-0.5", ESCAPES]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def raw_cells(path) -> list[list[str]]:
    """The CSV's rows as the text a spreadsheet sees (header included)."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- CSV formula injection ------------------------------------------------------------------

def test_write_csv_prefixes_formula_text_cells_and_keeps_numbers(tmp_path):
    from debias._atomic import restore_csv_cell

    text = [HYPERLINK, "@SUM(1)", "+1", "-0.5", "\tx", "\rx", "'=already quoted", "plain",
            "'plain", ""]
    frame = pd.DataFrame({"text": text, "number": [-0.5] * len(text),
                          "count": range(-3, len(text) - 3), "=header": ["ok"] * len(text),
                          "group": pd.Categorical(["@cat"] + ["b"] * (len(text) - 1))})
    write_csv(frame, tmp_path / "t.csv")
    header, *rows = raw_cells(tmp_path / "t.csv")
    assert header == ["text", "number", "count", "'=header", "group"]
    written = [row[0] for row in rows]
    expected = ["'" + HYPERLINK, "'@SUM(1)", "'+1", "'-0.5", "'\tx", "'\rx", "''=already quoted",
                "plain", "'plain", ""]
    assert written == expected
    assert [restore_csv_cell(cell) for cell in written] == text  # exactly reversible
    assert [row[1] for row in rows] == ["-0.5"] * len(text)  # a float column: numbers
    assert [row[2] for row in rows] == [str(i) for i in range(-3, len(text) - 3)]
    assert rows[0][4] == "'@cat"
    assert list(frame["text"]) == text  # the caller's frame is not changed


def test_write_csv_quotes_a_carriage_return_inside_a_cell(tmp_path):
    """A bare CR ends a row for a spreadsheet: ``x\r=cmd`` must not start a row with a formula."""
    frame = pd.DataFrame({"group": ["x\r=HYPERLINK(1)", "plain"], "value": [-1.0, 2.0]})
    write_csv(frame, tmp_path / "t.csv")
    rows = raw_cells(tmp_path / "t.csv")
    assert rows == [["group", "value"], ["x\r=HYPERLINK(1)", "-1.0"], ["plain", "2.0"]]
    write_csv(frame.iloc[1:], tmp_path / "plain.csv")  # no CR: "\n" line ends, as before
    assert (tmp_path / "plain.csv").read_bytes() == b"group,value\nplain,2.0\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A CSV dataset whose attribute values are formulas and escape sequences, its scores, and
    one audit of it (run once for the module)."""
    base = tmp_path_factory.mktemp("hostile")
    root = write_csv_dataset(base / "ds", face_rows(15, 6, tone=HOSTILE))
    frame = pd.read_csv(root / "labels.csv", keep_default_na=False)
    preds = base / "preds.csv"
    pd.DataFrame({"path": frame.path, "score": [0.9 if label == 1 else 0.1
                                                for label in frame.label]}).to_csv(preds, index=False)
    out = base / "audit"
    result = run_cli("audit", root, "--predictions", preds, "--out", out, "--n-boot", "0",
                     "--min-count", "1", "--allow-degenerate")
    assert result.returncode == 0, result.stderr
    return root, out, result


def test_audit_tables_have_no_formula_cells_and_json_keeps_raw_values(hostile):
    _, out, _ = hostile
    tables = sorted((out / "tables").glob("*.csv"))
    assert tables
    prefixed = set()
    for table in tables:
        for row in raw_cells(table):
            for cell in row:
                assert not cell.startswith(FORMULA_START) or is_number(cell), (table.name, cell)
                if cell.startswith("'"):
                    prefixed.add(cell)
    assert {"'" + HYPERLINK, "'@SUM(1)", "'+cmd|' /C calc'!A0", "'-0.5"} <= prefixed
    per_group = json.loads((out / "result.json").read_text("utf-8"))["models"]["external"]["per_group"]
    groups = {row["group"] for row in per_group if row["slice"] == "tone"}
    assert set(HOSTILE) <= groups  # JSON: the raw values, no quote


def test_predictions_written_by_the_tool_round_trip(tmp_path):
    """``debias predict`` writes through write_csv, so a file named ``-f0.png`` is written
    ``'-f0.png``; ``debias audit --predictions`` must read it back as ``-f0.png``."""
    rows = [{"path": f"{c}f{i}.png", "label": 1, "tone": "light dark".split()[i % 2]}
            for i, c in enumerate("=-+@")] + [{"path": f"n{i}.png", "label": 0, "tone": ""}
                                              for i in range(4)]
    root = write_csv_dataset(tmp_path / "ds", rows)
    write_csv(pd.DataFrame({"path": [r["path"] for r in rows], "score": [0.9] * 4 + [0.1] * 4,
                            "prediction": [1] * 4 + [0] * 4}), tmp_path / "preds.csv")
    assert raw_cells(tmp_path / "preds.csv")[1][0] == "'=f0.png"
    result = run_cli("audit", root, "--predictions", tmp_path / "preds.csv", "--out",
                     tmp_path / "a", "--n-boot", "0", "--min-count", "1", "--allow-degenerate")
    assert result.returncode == 0, result.stderr


# --- terminal escape injection --------------------------------------------------------------

def test_terminal_safe_shorten_and_json():
    assert terminal_safe(ESCAPES) == ESCAPES_SHOWN
    assert terminal_safe("a\nb\tc\rd\x85\u202e\udcff é") == "a\\nb\\tc\\rd\\x85\\u202e\\udcff é"
    assert terminal_safe("line 1\nline\x1b 2", keep_newlines=True) == "line 1\nline\\x1b 2"
    assert terminal_safe(terminal_safe(ESCAPES)) == ESCAPES_SHOWN  # idempotent
    long = "/start-" + "a" * 10_000 + "-end"
    short = shorten(long, 200)
    assert len(short) <= 200 and short.startswith("/start-") and short.endswith("-end")
    assert "more)" in short and shorten("short", 200) == "short"
    line = one_line(f"file '{long}'\nnot found in {long}")
    assert "\n" not in line and len(line) <= 300
    assert line.startswith("file '/start-") and line.endswith("-end")
    assert "not found in /start-" in line  # the words between two long paths survive
    value = {"v": ESCAPES + "\x9b2J\u202e\udcff"}
    text = json_text_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value and not any(c in text for c in "\x1b\x07\x9b\u202e")


def test_audit_prints_no_escape_sequence(hostile):
    _, _, result = hostile
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
    assert ESCAPES_SHOWN in result.stdout  # the group is shown, escaped


def test_inspect_prints_no_escape_sequence(hostile):
    root, _, _ = hostile
    text = run_cli("inspect", root)
    assert text.returncode == 0, text.stderr
    assert "\x1b" not in text.stdout + text.stderr and ESCAPES_SHOWN in text.stdout
    as_json = run_cli("inspect", root, "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert "\x1b" not in as_json.stdout
    assert ESCAPES in json.loads(as_json.stdout)["per_attribute"]["tone"]  # the raw value


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.lower().startswith("error:")]


@pytest.mark.parametrize("args", [
    lambda root, path: ["inspect", path],
    lambda root, path: ["audit", root, "--predictions", path],  # click's own error message
], ids=["inspect", "click-path"])
def test_error_quoting_a_huge_path_is_one_short_line(hostile, args):
    root, _, _ = hostile
    path = "/nonexistent/begin-" + "a" * 10_000 + "-end"
    result = run_cli(*args(root, path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    assert len(errors[0]) < 400 and "/nonexistent/begin-" in errors[0] and "a-end" in errors[0]
    assert len(result.stderr) < 1_000  # the path is not printed anywhere else


def test_error_quoting_escape_sequences_is_escaped():
    result = run_cli("inspect", f"/nonexistent/{ESCAPES}\nerror: forged line")
    assert result.returncode == 2, result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    errors = error_lines(result.stderr)
    assert len(errors) == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert f"/nonexistent/{ESCAPES_SHOWN}\\nerror: forged line" in errors[0]
