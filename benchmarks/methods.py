"""Every debiasing method on the same seeds, paired with the baseline, printed as JSON.

For each setting and each seed s: the data of seed s (a synthetic benchmark generated with
seed s; real-dev is the same files for every seed), then every method trained with training
seed s (the same batches' seed and, for the methods built on the baseline network, the same
initial weights), then evaluated on the test split. Measures per run: accuracy,
specificity, recall per group, worst-group recall, the max - min and majority - minority
recall gaps, and the same recalls and specificity on the training split (a method that
memorises its training faces reaches recall 1 on every group there, so reweighting them
changes little: that is what the training figures show).

Settings:
- ``synthetic``: the default synthetic benchmark (groups skin_tone x gender; the
  majority - minority gap is recall(light) - recall(dark)).
- ``underrep``: the same with ``bias="underrep"``: no non-face cue tied to skin tone, the
  minority share is the only source of the gap.
- ``real_dev``: face detection on ../shared/data/real-dev (race x gender; the gap is
  recall(White) - recall(the other races), pooled; its test cells are equal, so this is the
  difference of cell means); skipped when the folder is absent. Its decode cache goes to a
  temporary folder; nothing is copied.

Methods come from :data:`METHODS`, {name: (train(train_set, settings, setting) -> classifier,
uses_group_labels)}. Label-free methods are given the training split without its attribute
columns, so they cannot read a group label. ``jtt``, ``afr`` and ``dfr`` are there when
``debias.training.train_method`` is.

Statistics, per setting and method, over the seeds: mean and std (ddof 1) of each measure;
against the baseline, the per-seed paired differences d_s = method - baseline, their mean
and a 95% t-interval, mean(d) +- t(0.975, n - 1) * sd(d) / sqrt(n) (seeds treated as
independent draws of data and training; no interval for one seed); and the share of seeds
where a gap narrowed, |gap_method| < |gap_baseline|. On ``underrep`` (with ``balanced`` in
the run), for each label-free method, the share of the label-based gain it recovers,
(gap_baseline - gap_method) / (gap_baseline - gap_balanced) of the majority - minority gap:
per seed (only the seeds where balancing narrowed the gap by at least 0.02; elsewhere the
ratio is noise or its sign inverts), its median, quartiles and std over those seeds, and the
ratio of the means over all seeds (when the mean gain is at least 0.02). 1: as much as the
group labels bought; 0: nothing; negative: the gap widened.

    python benchmarks/methods.py [--settings synthetic underrep real_dev] [--methods ...]
        [--seeds 0 1 ... 9] [--epochs 10] [--image-size 64] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

REAL_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-dev"
GAPS = ("gap_max_min", "gap_majority_minority")
MIN_LABEL_GAIN = 0.02  # below this, (gap_b - gap_m) / (gap_b - gap_balanced) is not reported


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Setting:
    """What a method and the evaluation need to know of a setting."""

    name: str
    attributes: tuple[str, ...]  # the groups recall is reported for
    balance_by: tuple[str, ...]  # the group labels a label-using method is given
    majority: tuple[str, str]  # (column, value): gap = recall(value) - recall(the rest)
    bias: str | None = None  # synthetic only: make_synthetic_benchmark(bias=...)


SETTINGS = {
    "synthetic": Setting("synthetic", ("skin_tone", "gender"), ("skin_tone",),
                         ("skin_tone", "light"), bias="default"),
    "underrep": Setting("underrep", ("skin_tone", "gender"), ("skin_tone",),
                        ("skin_tone", "light"), bias="underrep"),
    "real_dev": Setting("real_dev", ("race", "gender"), ("race",), ("race", "White")),
}


def label_only(data):
    """The same images and labels with no attribute columns: all a label-free method sees."""
    meta = data.meta.drop(columns=[c for c in data.attributes if c in data.meta.columns])
    return replace(data, meta=meta, attributes=[])


def _fit(model: str) -> Callable:
    def train(train_set, settings, setting: Setting):
        from debias.training import fit

        return fit(train_set, settings, model=model)
    return train


def _fit_balanced(train_set, settings, setting: Setting):
    from debias.training import fit

    return fit(train_set, settings, model="baseline", balance_by=list(setting.balance_by))


# name -> (train(train_set, settings, setting) -> classifier, uses_group_labels)
METHODS: dict[str, tuple[Callable, bool]] = {
    "baseline": (_fit("baseline"), False),
    "dbvae": (_fit("dbvae"), False),
    "balanced": (_fit_balanced, True),
}
try:  # the methods of debias.training._methods, once they are exported
    from debias.training import train_method
except ImportError:  # pragma: no cover - before they land
    train_method = None
else:
    METHODS["jtt"] = (lambda d, s, _: train_method(d, s, method="jtt"), False)
    METHODS["afr"] = (lambda d, s, _: train_method(d, s, method="afr"), False)
    METHODS["dfr"] = (lambda d, s, info: train_method(d, s, method="dfr",
                                                      group_columns=list(info.balance_by)), True)


# --------------------------------------------------------------------------- measures


def measure(model, data, setting: Setting, prefix: str = "") -> dict[str, float]:
    """Recall per group of ``setting.attributes``, worst-group recall, specificity, accuracy
    and the two recall gaps of ``model`` on ``data``; keys prefixed with ``prefix``."""
    from debias.groups import groups_of

    pred = model.predict(data.images)
    labels = data.labels.numpy()
    faces = labels == 1
    groups = groups_of(data.meta, list(setting.attributes)).to_numpy()
    recall = {g: float(pred[faces & (groups == g)].mean()) for g in sorted(set(groups[faces]))}
    column, value = setting.majority
    majority = data.meta[column].to_numpy() == value
    out = {f"recall[{g}]": r for g, r in recall.items()}
    out.update(worst_group_recall=min(recall.values()),
               specificity=float((pred[~faces] == 0).mean()),
               accuracy=float((pred == labels).mean()),
               gap_max_min=max(recall.values()) - min(recall.values()),
               gap_majority_minority=float(pred[faces & majority].mean()
                                           - pred[faces & ~majority].mean()))
    return {prefix + k: v for k, v in out.items()}


def run_methods(train, test, *, setting: Setting, seed: int, methods: list[str], args
                ) -> list[dict]:
    from debias.training import TrainingSettings

    settings = TrainingSettings(epochs=args.epochs, batch_size=args.batch_size, seed=seed,
                                device=args.device, progress=False)
    runs = []
    for name in methods:
        trainer, uses_labels = METHODS[name]
        start = time.perf_counter()
        model = trainer(train if uses_labels else label_only(train), settings, setting)
        train_s = time.perf_counter() - start
        row = {"seed": seed, "method": name, **measure(model, test, setting),
               **measure(model, train, setting, prefix="train_"), "train_s": train_s}
        runs.append(row)
        log(f"  [{setting.name} seed {seed}] {name}: acc {row['accuracy']:.3f}, worst "
            f"{row['worst_group_recall']:.3f}, gap {row['gap_majority_minority']:+.3f}, "
            f"train acc {row['train_accuracy']:.3f}, {train_s:.1f} s")
    return runs


# --------------------------------------------------------------------------- statistics


def _interval(d: np.ndarray) -> list[float] | None:
    from scipy import stats

    if len(d) < 2:
        return None
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return [float(d.mean() - half), float(d.mean() + half)]


def _table(runs: list[dict], method: str) -> dict[str, np.ndarray]:
    """measure -> values by seed (sorted) of ``method``."""
    rows = sorted((r for r in runs if r["method"] == method), key=lambda r: r["seed"])
    keys = [k for k in rows[0] if k not in ("seed", "method")]
    return {k: np.array([r[k] for r in rows], dtype=float) for k in keys}


def summarise(runs: list[dict], methods: list[str], setting: Setting) -> dict:
    out = {"summary": {}, "vs_baseline": {}}
    for name in methods:
        table = _table(runs, name)
        out["summary"][name] = {
            "uses_group_labels": METHODS[name][1],
            **{k: {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else None}
               for k, v in table.items()}}
    if "baseline" not in methods:
        return out
    base = _table(runs, "baseline")
    for name in methods:
        if name == "baseline":
            continue
        table = _table(runs, name)
        diffs = {k: {"mean": float((v - base[k]).mean()), "ci95": _interval(v - base[k]),
                     "per_seed": (v - base[k]).tolist()}
                 for k, v in table.items() if k != "train_s"}
        narrowed = {g: float((np.abs(table[g]) < np.abs(base[g])).mean()) for g in GAPS}
        out["vs_baseline"][name] = {"difference": diffs, "gap_narrowed_share": narrowed}
    if setting.name == "underrep" and "balanced" in methods:
        out["label_gain_recovered"] = label_gain_recovered(runs, methods, base)
    return out


def label_gain_recovered(runs: list[dict], methods: list[str], base: dict) -> dict:
    """(gap_b - gap_m) / (gap_b - gap_balanced) of the majority - minority gap, per seed where
    balancing narrowed it by at least MIN_LABEL_GAIN (elsewhere the ratio is noise, or its
    sign means the opposite); the ratio of the means when the mean gain is that large."""
    key = "gap_majority_minority"
    gain = base[key] - _table(runs, "balanced")[key]
    used = gain >= MIN_LABEL_GAIN
    out = {"gap": key, "min_label_gain": MIN_LABEL_GAIN, "label_gain_per_seed": gain.tolist(),
           "seeds_used": int(used.sum())}
    for name in methods:
        if METHODS[name][1] or name == "baseline":
            continue
        own = base[key] - _table(runs, name)[key]
        ratio = own[used] / gain[used]
        out[name] = {
            "per_seed": [float(o / g) if u else None for o, g, u in zip(own, gain, used)],
            "median": float(np.median(ratio)) if used.any() else None,
            "quartiles": np.percentile(ratio, [25, 75]).tolist() if used.any() else None,
            "std": float(ratio.std(ddof=1)) if used.sum() > 1 else None,
            "ratio_of_means": float(own.mean() / gain.mean())
            if gain.mean() >= MIN_LABEL_GAIN else None}
    return out


# --------------------------------------------------------------------------- data


def synthetic_data(setting: Setting, seed: int, args, tmp: str):
    from debias.data import load_dataset
    from debias.synth import make_synthetic_benchmark

    root = make_synthetic_benchmark(os.path.join(tmp, f"{setting.name}-{seed}"),
                                    n_train=args.n_train, n_test=args.n_test, seed=seed,
                                    minority_share=args.minority_share,
                                    image_size=args.image_size, bias=setting.bias,
                                    progress=False)
    return load_dataset(root, image_size=args.image_size, cache=False, progress=False).split()


def run_setting(setting: Setting, methods: list[str], args) -> dict:
    from debias.data import load_dataset

    start = time.perf_counter()
    runs, data_s = [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        if setting.name == "real_dev":
            if not (REAL_DEV / "labels.csv").is_file():
                log(f"real_dev: {REAL_DEV} not found, skipped")
                return {"skipped": f"{REAL_DEV} not found"}
            t0 = time.perf_counter()
            data = load_dataset(REAL_DEV, attributes=list(setting.attributes),
                                image_size=args.image_size, cache_dir=os.path.join(tmp, "c"),
                                progress=False)
            fixed = data.split()
            data_s += time.perf_counter() - t0
        for seed in args.seeds:
            t0 = time.perf_counter()
            train, test = fixed if setting.name == "real_dev" \
                else synthetic_data(setting, seed, args, tmp)
            data_s += time.perf_counter() - t0
            runs += run_methods(train, test, setting=setting, seed=seed, methods=methods,
                                args=args)
    train_s = {m: float(sum(r["train_s"] for r in runs if r["method"] == m)) for m in methods}
    return {"majority": list(setting.majority), "groups": list(setting.attributes),
            "balance_by": list(setting.balance_by), "runs": runs,
            **summarise(runs, methods, setting), "data_s": data_s, "train_s": train_s,
            "wall_s": time.perf_counter() - start}


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--n-train", type=int, default=4000, help="synthetic settings")
    parser.add_argument("--n-test", type=int, default=2000, help="synthetic settings")
    parser.add_argument("--minority-share", type=float, default=0.05, help="synthetic")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (fixed)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    methods = list(dict.fromkeys(["baseline", *args.methods]))  # the reference always runs

    import torch

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    report = {"config": vars(args) | {"methods": methods}, "torch": torch.__version__,
              "interval": "95% t-interval over seeds of the paired differences "
                          "(method - baseline): mean ± t(0.975, n-1)·sd/√n",
              "methods": {m: {"uses_group_labels": METHODS[m][1]} for m in methods},
              "settings": {}}
    for name in args.settings:
        log(f"{name}: {len(args.seeds)} seed(s) x {len(methods)} method(s)")
        report["settings"][name] = run_setting(SETTINGS[name], methods, args)
    report["wall_s"] = time.perf_counter() - start
    print(json.dumps(_rounded(report), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
