"""Nothing already written is lost: --overwrite checks first and replaces only what debias
wrote, a second run into the same folder is refused while the first holds its lock, outputs
are replaced only once the new run succeeded, and a killed run's temp files are cleaned up."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from debias._outputs import LOCK, MARKER
from tests.e2e.cli import assert_one_line_error, run_cli
from tests.helpers import face_rows, write_csv_dataset

ARGS = ("--n-boot", "0", "--min-count", "1", "--image-size", "16", "--allow-degenerate")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = write_csv_dataset(tmp_path_factory.mktemp("outputs"),
                             face_rows(12, 8, tone=["light", "dark"]))
    frame = pd.read_csv(root / "labels.csv", keep_default_na=False)
    score = np.where(frame.label == 1, 0.8, 0.2)
    score[0] = 0.3
    pd.DataFrame({"path": frame.path, "score": score}).to_csv(root / "preds.csv", index=False)
    return root


def audit(dataset, out, *extra, data=None):
    return run_cli("audit", data or dataset, "--predictions", dataset / "preds.csv", "--out",
                   out, *ARGS, *extra)


def snapshot(folder) -> dict:
    """Relative path -> bytes of every file (hidden ones included)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_overwrite_with_a_mistyped_dataset_keeps_the_old_audit(dataset, tmp_path):
    out = tmp_path / "old"
    assert audit(dataset, out).returncode == 0
    before = snapshot(out)
    result = audit(dataset, out, "--overwrite", data=tmp_path / "mistyped")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert snapshot(out) == before


def test_overwrite_never_deletes_the_users_own_files(dataset, tmp_path):
    out = tmp_path / "mine"
    (out / "models").mkdir(parents=True)
    (out / "tables").mkdir()
    (out / "models" / "my_resnet.pt").write_bytes(b"weights")
    (out / "tables" / "finance.csv").write_text("q1,q2\n1,2\n")
    mine = snapshot(out)
    assert_one_line_error(audit(dataset, out, "--overwrite"), 2,
                          "holds models, tables that debias did not write")
    assert snapshot(out) == mine
    # Without --overwrite the audit writes beside them; the record lists only its own files.
    assert audit(dataset, out).returncode == 0
    record = json.loads((out / MARKER).read_text())["files"]
    assert "result.json" in record and "tables/external_per_group.csv" in record
    assert not {"models/my_resnet.pt", "tables/finance.csv"} & set(record)
    # A later --overwrite replaces that audit and still leaves the user's files.
    assert audit(dataset, out, "--overwrite").returncode == 0
    assert all(snapshot(out)[name] == data for name, data in mine.items())


def test_a_failed_run_replaces_nothing(dataset, tmp_path, monkeypatch):
    # In process: the report fails to render after every table was written.
    from debias.audit import AuditRun, run_audit
    from debias.metrics import AuditConfig

    out = tmp_path / "a"
    run = AuditRun(dataset=str(dataset), out=out, predictions=dataset / "preds.csv",
                   dataset_kwargs={"image_size": 16},
                   metrics=AuditConfig(n_boot=0, min_count=1, threshold=0.5))
    run_audit(run, log=lambda m: None)
    before = snapshot(out)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reports.write_report", broken)
    with pytest.raises(OSError):
        run_audit(run, overwrite=True, log=lambda m: None)
    assert snapshot(out) == before  # no new table beside the old result, no staging left


def test_a_second_run_is_refused_while_the_first_holds_the_lock(dataset, tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / LOCK).write_text(f"{socket.gethostname()} {os.getpid()}")  # this process: alive
    assert_one_line_error(audit(dataset, out), 2, "another debias run")
    assert sorted(p.name for p in out.iterdir()) == [LOCK]


def test_a_stale_lock_and_a_killed_runs_debris_are_cleaned(dataset, tmp_path):
    out = tmp_path / "stale"
    (out / "models").mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    (out / LOCK).write_text(f"{socket.gethostname()} {dead}")
    debris = [out / "models" / ".dbvae.pt.1a2b3c4d.tmp", out / ".model.pt.partial",
              out / ".debias-staging" / "tables" / "x.csv"]
    for path in debris:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 100)
    (out / ".my_notes").write_text("mine")
    result = audit(dataset, out)
    assert result.returncode == 0, result.stderr
    assert not any(p.exists() for p in debris) and not (out / LOCK).exists()
    assert (out / ".my_notes").read_text() == "mine"


@pytest.mark.parametrize("where", ["below-a-file", "proc", "tables-is-a-file"])
def test_an_unwritable_out_is_refused_before_any_work(dataset, tmp_path, where):
    (tmp_path / "file").write_text("x")
    out = {"below-a-file": tmp_path / "file" / "sub", "proc": "/proc/debias-audit",
           "tables-is-a-file": tmp_path}[where]
    if where == "tables-is-a-file":
        (tmp_path / "tables").write_text("mine")
    result = audit(dataset, out)
    assert_one_line_error(result, 2, "--out")
    assert "[1/6]" not in result.stderr  # refused before loading anything


def test_a_full_disk_is_said_in_one_line(monkeypatch, capsys):
    # A disk filling up while a checkpoint is written surfaces as torch's RuntimeError.
    from debias.cli import app

    def full(*args, **kwargs):
        raise RuntimeError("[enforce fail at inline_container.cc:672] . PytorchStreamWriter "
                           "failed writing file data/3: file write failed")

    monkeypatch.setattr(app, "cli", type("Cli", (), {"main": staticmethod(full)}))
    assert app.main(["audit", "x"]) == 1
    assert capsys.readouterr().err == ("error: could not write a checkpoint (the disk is "
                                       "probably full): free some space and run again\n")

    def enospc(*args, **kwargs):
        raise OSError(28, "No space left on device", "out/result.json")

    monkeypatch.setattr(app, "cli", type("Cli", (), {"main": staticmethod(enospc)}))
    assert app.main(["audit", "x"]) == 1
    assert "no space left on the device while writing out/result.json" in capsys.readouterr().err
