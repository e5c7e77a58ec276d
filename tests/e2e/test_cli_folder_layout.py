"""An ordinary folder (faces/ + not_faces/, attributes.csv) audited from the shell."""

from __future__ import annotations

import pandas as pd

from tests.e2e.cli import run_cli
from tests.helpers import write_image


def test_faces_without_attributes_are_warned_about_in_the_audit(tmp_path):
    root = tmp_path / "data"
    for i in range(8):
        write_image(root / "faces" / f"f{i}.png", (200, 150, 120))
        write_image(root / "not_faces" / f"n{i}.png", (20, 90, 20))
    # f7 has no row: its tone is unknown, and the audit says so on the terminal.
    pd.DataFrame({"path": [f"faces/f{i}.png" for i in range(7)],
                  "tone": ["a", "b"] * 3 + ["a"]}).to_csv(root / "attributes.csv", index=False)
    scores = pd.DataFrame({"path": [f"faces/f{i}.png" for i in range(8)]
                           + [f"not_faces/n{i}.png" for i in range(8)],
                           "score": [0.9] * 7 + [0.2] + [0.1] * 8})
    scores.to_csv(tmp_path / "preds.csv", index=False)
    result = run_cli("audit", root, "--predictions", tmp_path / "preds.csv", "--out",
                     tmp_path / "out", "--n-boot", "0", "--min-count", "1", "--image-size", "16",
                     "--allow-degenerate")
    assert result.returncode == 0, result.stderr
    assert ("warning: 1 of 8 faces have no row in attributes.csv (e.g. faces/f7.png"
            in result.stderr)
