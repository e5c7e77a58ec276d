"""`--card card.yaml` on `debias report` and `debias audit`: the person's model card fields
reach the page (and result.json) and nothing else; a bad card is one line and exit 2, before
any file is written. No training: a result fixture, or external predictions."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from debias.cli.card import CARD_FIELDS, MAX_BYTES, load_card
from debias.errors import DataError
from tests.e2e.cli import assert_one_line_error, run_cli
from tests.helpers import face_rows, write_csv_dataset
from tests.reports.fixtures import make_minimal_result
from tests.reports.html_tools import parse

CARD_YAML = """\
# the model card fields only a person knows
owner: Example Lab <b>&</b>
version: "2.1"
intended_use: Finding faces in uploaded photos, to blur them.
out_of_scope_uses:
  - Identifying people
  - Surveillance
"""
CARD = {"owner": "Example Lab <b>&</b>", "version": "2.1",
        "intended_use": "Finding faces in uploaded photos, to blur them.",
        "out_of_scope_uses": ["Identifying people", "Surveillance"]}


def _section(html: str) -> str:
    start = html.index('<section class="card" id="model-card">')
    return html[start:html.index("</section>", start)]


@pytest.fixture(scope="module")
def result_json(tmp_path_factory):
    path = tmp_path_factory.mktemp("card") / "result.json"
    path.write_text(json.dumps(make_minimal_result()), encoding="utf-8")
    return path


def test_report_puts_the_card_in_the_card_and_nowhere_else(result_json, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text(CARD_YAML, encoding="utf-8")
    result = run_cli("report", result_json, "--card", card, "--out", tmp_path / "r.html")
    assert result.returncode == 0, result.stderr
    plain = run_cli("report", result_json, "--out", tmp_path / "plain.html")
    assert plain.returncode == 0, plain.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    without = (tmp_path / "plain.html").read_text(encoding="utf-8")
    section = _section(html)
    assert "Example Lab &lt;b&gt;&amp;&lt;/b&gt;" in section and "<b>&</b>" not in html
    assert "Finding faces in uploaded photos, to blur them." in section
    assert "<li>Identifying people</li><li>Surveillance</li>" in section
    # Outside the card section the page is the one rendered without a card.
    assert html.replace(section, "") == without.replace(_section(without), "")
    assert "card" not in json.loads(result_json.read_text())  # result.json is not changed


@pytest.mark.parametrize("name,text,message", [
    ("bad.yaml", "owner: Example Lab\nintended_use: [a, b\nversion: '1'\n",
     "bad.yaml: line 3: not valid YAML: expected ',' or ']', but got ':' (while parsing a "
     "flow sequence started on line 2)"),
    ("bad.json", '{"owner": "Example Lab",\n "version": 2\n', "bad.json: line 3: not valid JSON"),
    ("unknown.yaml", "owner: Example Lab\nownr: typo\n",
     "unknown card field(s) 'ownr'; allowed: " + ", ".join(CARD_FIELDS)),
    ("number.yaml", "owner: Example Lab\nversion: 2.1\n",
     "number.yaml: version must be text or a list of texts, not a number (quote it)"),
    ("items.json", '{"caveats": ["ok", {"a": 1}]}', "items.json: caveats[1] must be text, "
                                                    "not a mapping"),
])
def test_a_bad_card_is_one_line_and_exit_2_with_no_file_written(result_json, tmp_path, name,
                                                                  text, message):
    card = tmp_path / name
    card.write_text(text, encoding="utf-8")
    out = tmp_path / "r.html"
    result = run_cli("report", result_json, "--card", card, "--out", out)
    assert_one_line_error(result, 2, message)
    assert not out.exists()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("ds")
    return write_csv_dataset(root, face_rows(40, 20, tone=["light", "dark"]))


def _predictions(root, folder):
    frame = pd.read_csv(root / "labels.csv", keep_default_na=False)
    score = np.where(frame.label == 1, 0.9, 0.1)
    dark = np.flatnonzero((frame.label == 1) & (frame.tone == "dark"))
    score[dark[: len(dark) // 2]] = 0.3  # half the dark faces missed
    path = folder / "preds.csv"
    pd.DataFrame({"path": frame.path, "score": score}).to_csv(path, index=False)
    return path


def test_audit_stores_the_card_in_result_json_and_report_re_renders_it(dataset, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text(CARD_YAML, encoding="utf-8")
    out = tmp_path / "audit"
    result = run_cli("audit", dataset, "--predictions", _predictions(dataset, tmp_path),
                     "--out", out, "--n-boot", "50", "--min-count", "5", "--card", card)
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert data["card"] == CARD
    html = (out / "report.html").read_text(encoding="utf-8")
    section = _section(html)
    assert "Finding faces in uploaded photos" in section
    assert "not available: not trained in this audit" in section  # external predictions
    assert data["dataset"]["audited"] == 60
    assert "images audited 60" in parse(section).body_text()
    again = run_cli("report", out / "result.json", "--out", tmp_path / "again.html")
    assert again.returncode == 0, again.stderr
    assert _section((tmp_path / "again.html").read_text(encoding="utf-8")) == section


def test_audit_refuses_a_bad_card_before_any_work(dataset, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text("owner: [unclosed\n", encoding="utf-8")
    out = tmp_path / "audit"
    result = run_cli("audit", dataset, "--predictions", _predictions(dataset, tmp_path),
                     "--out", out, "--card", card)
    assert_one_line_error(result, 2, "card.yaml: line 2: not valid YAML")
    assert not out.exists()


# The loader on its own: every refusal names the file and says what to do.
@pytest.mark.parametrize("text,message", [
    ("date: 2026-11-24\n", "date must be text or a list of texts, not a date (quote it)"),
    ("owner: yes\n", "owner must be text or a list of texts, not true/false"),
    ("owner:\n", "owner must be text or a list of texts, not null"),
    ("owner: '  '\n", "owner is empty; give text or leave it out"),
    ("caveats: []\n", "caveats is an empty list"),
    ("", "the card is empty"),
    ("{}\n", "the card is empty"),
    ("- owner\n", "a card is a mapping of fields to text"),
    ("owner: !!python/object/apply:os.system [echo]\n", "line 1: not valid YAML"),
    ("owner: a\x07b\n", "line 1: not valid YAML: the character U+0007 is not allowed"),
    ("a: 1\nb: 2\nc: 3\nd: 4\n", "unknown card field(s) 'a', 'b', 'c' and 1 more"),
])
def test_load_card_refuses(tmp_path, text, message):
    path = tmp_path / "card.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="card.yaml: ") as err:
        load_card(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_load_card_keeps_text_as_written(tmp_path):
    path = tmp_path / "card.json"
    path.write_text(json.dumps({"caveats": ["<script>x</script>", "two"], "date": "2026"}),
                    encoding="utf-8")
    assert load_card(path) == {"caveats": ["<script>x</script>", "two"], "date": "2026"}
    yaml_path = tmp_path / "card.yml"
    yaml_path.write_text("\ufeffcaveats: |\n  line one\n  line two\n", encoding="utf-8")
    assert load_card(yaml_path) == {"caveats": "line one\nline two\n"}


def test_load_card_refuses_what_is_not_a_card_file(tmp_path):
    with pytest.raises(DataError, match="no such card file"):
        load_card(tmp_path / "missing.yaml")
    with pytest.raises(DataError, match="is a folder"):
        load_card(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(DataError, match="at most 1 MiB"):
        load_card(big)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("owner: Jos\u00e9\n".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8 text"):
        load_card(latin)
