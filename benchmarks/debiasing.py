"""Every debiasing method on the same seeds, paired with the baseline, printed as JSON.

For each setting and each seed s: the data of seed s (a synthetic benchmark generated with
seed s; real-dev is the same files for every seed), then every method trained with training
seed s (the same batches' seed and, for the methods built on the baseline network, the same
initial weights), then evaluated on the test split. Measures per run: accuracy,
specificity (the negative class's recall), the group metric per group (recall of the
positives of each group for face detection; accuracy over every image of each group for
the gender task), the worst group's, the max - min and majority - minority gaps of it, and
the same on the training split (a method that memorises its training images reaches 1 on
every group there, so reweighting them changes little: that is what the training figures
show).

Settings:
- ``synthetic``: the default synthetic benchmark (groups skin_tone x gender; the
  majority - minority gap is recall(light) - recall(dark)).
- ``underrep``: the same with ``bias="underrep"``: no non-face cue tied to skin tone, the
  minority share is the only source of the gap.
- ``real_dev``: face detection on ../shared/data/real-dev (race x gender; the gap is
  recall(White) - recall(the other races), pooled).
- ``real_dev_gender``: a gender classifier (positive: female) on real-dev's faces, groups
  race x gender, the group metric is accuracy, the gap accuracy(White) - accuracy(the other
  races); DB-VAE models both classes (``vae_on="all"``); ``balanced`` draws each class's
  images so every race is equally likely within it.
Real-dev settings are skipped when the folder is absent; their decode cache goes to a
temporary folder, nothing is copied.

Tuning (``--tune-seeds``, default 100 101 102; none: every method at its defaults). Each
method's settings in :data:`GRID` are run on validation seeds that are never reported:
synthetic sets generated with those seeds (their test split is the validation data), and
for real-dev a class-stratified quarter of the training split held out (the model trains on
the rest; the test split is never read). A method keeps the setting with the highest mean
worst-group metric among those whose mean accuracy and specificity are within ``--budget``
(default 0.01) of the baseline at its defaults on the same validation runs; when none is,
it keeps its defaults and the JSON says so. This choice reads group labels of the validation
data, as the JTT, AFR and DFR papers' tuning does; training itself reads none (for the
label-free methods). The test runs then use each method's kept setting (``baseline+tuned``
is the baseline with its own kept regularisation; the paired reference stays the baseline
at its defaults, what a user gets).

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

Throughput (``--throughput``): each method at its defaults on a synthetic set
(``--throughput-train`` images at the tool's 64 px, 3 epochs): its gradient steps (every
stage's) x batch size / its training seconds, against a bare PyTorch loop of the same
network and batch size in the same run (uniform draws from a pre-converted float tensor,
no logging); for DB-VAE also against the bare loop plus the per-epoch latent pass its
resampling needs, and against the bare loop with the multi-tensor Adam ``fit`` uses (PyTorch's
default on the CPU is the per-tensor loop; the weights are bit-identical). A ratio below 1 is
our overhead (or, for JTT/AFR/DFR, their scoring and last-layer work, which the bare loop
does not do).

    python benchmarks/debiasing.py [--settings synthetic underrep real_dev real_dev_gender]
        [--methods ...] [--seeds 0 1 ... 9] [--tune-seeds 100 101 102] [--epochs 5]
        [--image-size 32] [--throughput] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REAL_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-dev"
GAPS = ("gap_max_min", "gap_majority_minority")
MIN_LABEL_GAIN = 0.02  # below this, (gap_b - gap_m) / (gap_b - gap_balanced) is not reported
LABEL_METHODS = {"balanced", "dfr"}  # the references that read group labels
METHOD_NAMES = ("baseline", "dbvae", "jtt", "afr", "feature_rarity", "balanced", "dfr")

# Each method's settings tried on the validation seeds; the first is its defaults. Keys are
# TrainingSettings fields or the method's own hyperparameters (debias.training.train_method).
GRID: dict[str, list[dict]] = {
    "baseline": [{}, {"weight_decay": 1.0}, {"weight_decay": 5.0}, {"select_on_val": True}],
    "dbvae": [{}, {"rarity": "gmm"}, {"rarity": "knn"}, {"weight_decay": 1.0}],
    "jtt": [{}, {"upweight": 5.0}, {"upweight": 50.0}, {"jtt_epochs": 1},
            {"weight_decay": 1.0}],
    "afr": [{}, {"gamma": 1.0}, {"gamma": 10.0}, {"l2": 0.1}],
    "feature_rarity": [{}, {"rarity": "gmm"}, {"weight_decay": 1.0}],
    "balanced": [{}, {"weight_decay": 1.0}],
    "dfr": [{}, {"l2": 0.01}],
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Setting:
    """What a method and the evaluation need to know of a setting."""

    name: str
    attributes: tuple[str, ...]  # the groups the group metric is reported for
    balance_by: tuple[str, ...]  # the group labels a label-using method is given
    majority: tuple[str, str]  # (column, value): gap = metric(value) - metric(the rest)
    group_metric: str = "recall"  # "recall" (positives of a group) or "accuracy" (all of it)
    bias: str | None = None  # synthetic only: make_synthetic_benchmark(bias=...)
    dataset: dict = field(default_factory=dict)  # real-dev: load_dataset keywords
    training: dict = field(default_factory=dict)  # TrainingSettings fields of every method


SETTINGS = {
    "synthetic": Setting("synthetic", ("skin_tone", "gender"), ("skin_tone",),
                         ("skin_tone", "light"), bias="default"),
    "underrep": Setting("underrep", ("skin_tone", "gender"), ("skin_tone",),
                        ("skin_tone", "light"), bias="underrep"),
    "real_dev": Setting("real_dev", ("race", "gender"), ("race",), ("race", "White"),
                        dataset={"attributes": ["race", "gender"]}),
    "real_dev_gender": Setting(
        "real_dev_gender", ("race", "gender"), ("race",), ("race", "White"),
        group_metric="accuracy", training={"vae_on": "all"},
        dataset={"target": "gender", "positive": "female", "attributes": ["race", "gender"]}),
}


# --------------------------------------------------------------------------- training


def class_balanced_weights(data, columns: list[str]):
    """float64 (N,): 1 / (size of the image's cell), cells = class x groups of ``columns``, so
    every group is equally likely within each class (the batches normalise per class)."""
    from debias.groups import groups_of

    import pandas as pd

    cells = pd.Series(np.char.add(groups_of(data.meta, columns).to_numpy().astype(str),
                                  data.labels.numpy().astype(str)))
    return np.array(1.0 / cells.map(cells.value_counts()), dtype=np.float64)


def train(method: str, data, settings, setting: Setting, options: dict):
    """``method`` with ``options`` (a GRID entry) on ``data``; label-free methods get a copy
    without attribute columns."""
    from debias.training import train_method
    from debias.training._methods import label_only

    options = {**setting.training, **options}
    if method not in LABEL_METHODS:
        return train_method(label_only(data), settings, method=method, **options)
    if method == "balanced" and setting.group_metric == "accuracy":
        # Both classes are people: balance each class's groups (fit's balance_by draws only
        # the positives by group).
        return train_method(data, settings, method="baseline", **options,
                            sample_weights=class_balanced_weights(data, list(setting.balance_by)))
    return train_method(data, settings, method=method, group_columns=list(setting.balance_by),
                        **options)


def steps_of(model) -> int:
    """Gradient steps of every stage (JTT's first training; AFR/DFR's first stage is the
    model's own history)."""
    first = getattr(model, "method_", {}).get("first_stage", {}).get("steps", 0)
    return len(model.history_) + first


# --------------------------------------------------------------------------- measures


def measure(model, data, setting: Setting, prefix: str = "") -> dict[str, float]:
    """The group metric per group of ``setting.attributes``, the worst group's, specificity,
    accuracy and the two gaps of ``model`` on ``data``; keys prefixed with ``prefix``."""
    from debias.groups import groups_of

    pred = model.predict(data.images)
    labels = data.labels.numpy()
    correct = pred == labels
    rows = labels == 1 if setting.group_metric == "recall" else np.ones(len(labels), bool)
    groups = groups_of(data.meta, list(setting.attributes)).to_numpy()
    per_group = {g: float(correct[rows & (groups == g)].mean())
                 for g in sorted(set(groups[rows]))}
    column, value = setting.majority
    majority = data.meta[column].to_numpy() == value
    out = {f"{setting.group_metric}[{g}]": r for g, r in per_group.items()}
    out.update(worst_group=min(per_group.values()),
               specificity=float(correct[labels == 0].mean()),
               accuracy=float(correct.mean()),
               gap_max_min=max(per_group.values()) - min(per_group.values()),
               gap_majority_minority=float(correct[rows & majority].mean()
                                           - correct[rows & ~majority].mean()))
    return {prefix + k: v for k, v in out.items()}


def run_one(label: str, method: str, options: dict, train_set, test, *, setting: Setting,
            seed: int, args, with_train: bool = True) -> dict:
    from debias.training import TrainingSettings

    settings = TrainingSettings(epochs=args.epochs, batch_size=args.batch_size, seed=seed,
                                device=args.device, progress=False)
    start = time.perf_counter()
    model = train(method, train_set, settings, setting, options)
    train_s = time.perf_counter() - start
    row = {"seed": seed, "method": label, **measure(model, test, setting),
           **(measure(model, train_set, setting, prefix="train_") if with_train else {}),
           "train_s": train_s}
    log(f"  [{setting.name} seed {seed}] {label} {options or ''}: acc {row['accuracy']:.3f}, "
        f"spec {row['specificity']:.3f}, worst {row['worst_group']:.3f}, gap "
        f"{row['gap_majority_minority']:+.3f}, {train_s:.1f} s")
    return row


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


def summarise(runs: list[dict], labels: dict[str, str], setting: Setting) -> dict:
    """``labels``: run label -> method."""
    out = {"summary": {}, "vs_baseline": {}}
    for label, method in labels.items():
        table = _table(runs, label)
        out["summary"][label] = {
            "uses_group_labels": method in LABEL_METHODS,
            **{k: {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else None}
               for k, v in table.items()}}
    base = _table(runs, "baseline")
    for label in labels:
        if label == "baseline":
            continue
        table = _table(runs, label)
        diffs = {k: {"mean": float((v - base[k]).mean()), "ci95": _interval(v - base[k]),
                     "per_seed": (v - base[k]).tolist()}
                 for k, v in table.items() if k != "train_s"}
        narrowed = {g: float((np.abs(table[g]) < np.abs(base[g])).mean()) for g in GAPS}
        out["vs_baseline"][label] = {"difference": diffs, "gap_narrowed_share": narrowed}
    if setting.name == "underrep" and "balanced" in labels:
        out["label_gain_recovered"] = label_gain_recovered(runs, labels, base)
    return out


def label_gain_recovered(runs: list[dict], labels: dict[str, str], base: dict) -> dict:
    """(gap_b - gap_m) / (gap_b - gap_balanced) of the majority - minority gap, per seed where
    balancing narrowed it by at least MIN_LABEL_GAIN (elsewhere the ratio is noise, or its
    sign means the opposite); the ratio of the means when the mean gain is that large."""
    key = "gap_majority_minority"
    gain = base[key] - _table(runs, "balanced")[key]
    used = gain >= MIN_LABEL_GAIN
    out = {"gap": key, "min_label_gain": MIN_LABEL_GAIN, "label_gain_per_seed": gain.tolist(),
           "seeds_used": int(used.sum())}
    for label, method in labels.items():
        if method in LABEL_METHODS or label == "baseline":
            continue
        own = base[key] - _table(runs, label)[key]
        ratio = own[used] / gain[used]
        out[label] = {
            "per_seed": [float(o / g) if u else None for o, g, u in zip(own, gain, used)],
            "median": float(np.median(ratio)) if used.any() else None,
            "quartiles": np.percentile(ratio, [25, 75]).tolist() if used.any() else None,
            "std": float(ratio.std(ddof=1)) if used.sum() > 1 else None,
            "ratio_of_means": float(own.mean() / gain.mean())
            if gain.mean() >= MIN_LABEL_GAIN else None}
    return out


def choose(validation: list[dict], methods: list[str], budget: float) -> dict:
    """Per method, the GRID entry kept (see the module docstring) and the validation means of
    every entry."""
    def means(method: str, index: int) -> dict[str, float]:
        rows = [r for r in validation if r["method"] == method and r["option"] == index]
        return {k: float(np.mean([r[k] for r in rows]))
                for k in ("worst_group", "accuracy", "specificity", "gap_majority_minority")}

    ref = means("baseline", 0)
    out = {}
    for method in methods:
        table = [{"options": GRID[method][i], **means(method, i)}
                 for i in range(len(GRID[method]))]
        within = [i for i, row in enumerate(table)
                  if row["accuracy"] >= ref["accuracy"] - budget
                  and row["specificity"] >= ref["specificity"] - budget]
        kept = max(within, key=lambda i: table[i]["worst_group"]) if within else 0
        out[method] = {"kept": GRID[method][kept], "within_budget": bool(within),
                       "validation": table}
    return out


# --------------------------------------------------------------------------- data


def synthetic_data(setting: Setting, seed: int, args, tmp: str, image_size: int | None = None,
                   n_train: int | None = None, n_test: int | None = None):
    from debias.data import load_dataset
    from debias.synth import make_synthetic_benchmark

    size = image_size or args.image_size
    root = make_synthetic_benchmark(os.path.join(tmp, f"{setting.name}-{seed}-{size}"),
                                    n_train=n_train or args.n_train,
                                    n_test=n_test or args.n_test, seed=seed,
                                    minority_share=args.minority_share, image_size=size,
                                    bias=setting.bias, progress=False)
    return load_dataset(root, image_size=size, cache=False, progress=False).split()


def real_dev_data(setting: Setting, args, tmp: str):
    """(train, test) and (train minus a held-out quarter, that quarter) for tuning."""
    from debias.data import load_dataset
    from debias.training._fit import class_split

    data = load_dataset(REAL_DEV, image_size=args.image_size,
                        cache_dir=os.path.join(tmp, f"cache-{setting.name}"), progress=False,
                        **setting.dataset)
    train_set, test = data.split()
    kept, held = class_split(train_set.labels.numpy(), held_out=0.25, seed=1000)
    return (train_set, test), (train_set.subset(kept), train_set.subset(held))


def run_setting(setting: Setting, methods: list[str], args) -> dict:
    start = time.perf_counter()
    real = setting.name.startswith("real_dev")
    if real and not (REAL_DEV / "labels.csv").is_file():
        log(f"{setting.name}: {REAL_DEV} not found, skipped")
        return {"skipped": f"{REAL_DEV} not found"}
    out: dict = {"majority": list(setting.majority), "groups": list(setting.attributes),
                 "group_metric": setting.group_metric, "balance_by": list(setting.balance_by),
                 "training": setting.training}
    with tempfile.TemporaryDirectory() as tmp:
        fixed, fixed_val = real_dev_data(setting, args, tmp) if real else (None, None)
        kept = {m: {} for m in methods}
        if args.tune_seeds:
            validation = []
            for seed in args.tune_seeds:
                train_set, val = fixed_val if real else synthetic_data(setting, seed, args, tmp)
                for method in methods:
                    for i, options in enumerate(GRID[method]):
                        row = run_one(method, method, options, train_set, val, setting=setting,
                                      seed=seed, args=args, with_train=False)
                        validation.append({**row, "option": i})
            out["tuning"] = choose(validation, methods, args.budget)
            kept = {m: out["tuning"][m]["kept"] for m in methods}
        # the paired reference (defaults), then each method at its kept setting
        plan = {"baseline": ("baseline", {})}
        for method in methods:
            if kept[method] or method != "baseline":
                plan["baseline+tuned" if method == "baseline" else method] = (method, kept[method])
        runs = []
        for seed in args.seeds:
            train_set, test = fixed if real else synthetic_data(setting, seed, args, tmp)
            for label, (method, options) in plan.items():
                runs.append(run_one(label, method, options, train_set, test, setting=setting,
                                    seed=seed, args=args))
    labels = {label: method for label, (method, _) in plan.items()}
    out.update(plan={label: {"method": m, "options": o} for label, (m, o) in plan.items()},
               runs=runs, **summarise(runs, labels, setting),
               train_s={label: float(sum(r["train_s"] for r in runs if r["method"] == label))
                        for label in labels},
               wall_s=time.perf_counter() - start)
    return out


# --------------------------------------------------------------------------- throughput


def bare_loop(train_set, *, kind: str, steps: int, steps_per_epoch: int, batch_size: int,
              latent_pass: bool, foreach: bool | None = None) -> float:
    """Seconds for ``steps`` steps of a plain PyTorch loop over the network ``fit`` builds
    (same batch size, half faces); with ``latent_pass``, μ of every face is computed (eval
    mode) at each epoch start, as DB-VAE's resampling needs (the draws stay uniform).
    ``foreach``: Adam's implementation (None: PyTorch's default, per-tensor on the CPU)."""
    import torch

    from debias.training import build_model

    torch.manual_seed(0)
    net = build_model(kind, image_size=train_set.image_size)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, foreach=foreach)
    x_all = train_set.images.float() / 255  # the bare loop gets its data pre-converted, free
    y_all = train_set.labels.float()
    faces = torch.nonzero(y_all == 1).flatten()
    others = torch.nonzero(y_all == 0).flatten()
    half = batch_size // 2
    net.train()
    start = time.perf_counter()
    for step in range(steps):
        if latent_pass and step % steps_per_epoch == 0:
            net.eval()
            with torch.no_grad():
                _ = net.latent_means(train_set.images[faces])
            net.train()
        index = torch.cat([faces[torch.randint(len(faces), (half,))],
                           others[torch.randint(len(others), (batch_size - half,))]])
        loss = net.training_losses({"x": x_all[index], "y": y_all[index]})["loss"]
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def throughput(methods: list[str], args) -> dict:
    """Images/s of each method and of the bare loops: every measurement repeated
    ``--repeats`` times, the rounds interleaved (bare loops and methods alternate, so a slow
    spell of the machine hits all of them), after one untimed warm-up; the fastest kept."""
    from debias.training import TrainingSettings

    setting = SETTINGS["synthetic"]
    epochs, b = 3, args.batch_size
    with tempfile.TemporaryDirectory() as tmp:
        train_set, _ = synthetic_data(setting, 0, args, tmp, image_size=64,
                                      n_train=args.throughput_train, n_test=8)
    settings = TrainingSettings(epochs=epochs, batch_size=b, seed=0, device=args.device,
                                progress=False)
    per_epoch = int((train_set.labels == 1).sum()) // (b // 2)
    steps = per_epoch * epochs

    def bare(kind: str, latent_pass: bool, foreach: bool | None = None):
        return lambda: (steps, bare_loop(train_set, kind=kind, steps=steps,
                                         steps_per_epoch=per_epoch, batch_size=b,
                                         latent_pass=latent_pass, foreach=foreach))

    def method_job(method: str):
        def run():
            start = time.perf_counter()
            model = train(method, train_set, settings, setting, {})
            return steps_of(model), time.perf_counter() - start
        return run

    jobs = {"bare baseline": bare("baseline", False), "bare dbvae": bare("dbvae", False),
            "bare dbvae+latent_pass": bare("dbvae", True),
            "bare baseline+foreach": bare("baseline", False, True),
            "bare dbvae+foreach": bare("dbvae", False, True),
            **{m: method_job(m) for m in methods}}
    method_job("baseline")()  # warm-up, not timed
    best: dict[str, tuple[int, float]] = {}
    for _ in range(args.repeats):
        for name, job in jobs.items():
            n, seconds = job()
            if name not in best or seconds < best[name][1]:
                best[name] = (n, seconds)
    rate = {name: n * b / seconds for name, (n, seconds) in best.items()}
    out = {"images": len(train_set), "image_size": 64, "epochs": epochs, "batch_size": b,
           "repeats": args.repeats,
           "bare_images_per_s": {k[5:]: v for k, v in rate.items() if k.startswith("bare ")},
           "methods": {}}
    for method in methods:
        row = {"steps": best[method][0], "seconds": best[method][1],
               "images_per_s": rate[method],
               "ratio_to_bare": rate[method] / rate["bare " + ("dbvae" if method == "dbvae"
                                                                else "baseline")]}
        net = "dbvae" if method == "dbvae" else "baseline"
        row["ratio_to_bare_foreach_adam"] = rate[method] / rate[f"bare {net}+foreach"]
        if method == "dbvae":
            row["ratio_to_bare_with_latent_pass"] = rate[method] / rate["bare dbvae+latent_pass"]
        out["methods"][method] = row
        log(f"  throughput {method}: {rate[method]:.0f} images/s, "
            f"{row['ratio_to_bare']:.3f} of bare")
    return out


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
    parser.add_argument("--settings", nargs="*", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--methods", nargs="+", default=list(METHOD_NAMES),
                        choices=list(METHOD_NAMES))
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--tune-seeds", type=int, nargs="*", default=[100, 101, 102],
                        help="validation seeds (none: every method at its defaults)")
    parser.add_argument("--budget", type=float, default=0.01,
                        help="tuning: accuracy and specificity this close to the baseline's")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--n-train", type=int, default=2000, help="synthetic settings")
    parser.add_argument("--n-test", type=int, default=1000, help="synthetic settings")
    parser.add_argument("--minority-share", type=float, default=0.05, help="synthetic")
    parser.add_argument("--throughput", action="store_true", help="also measure throughput")
    parser.add_argument("--throughput-train", type=int, default=4000)
    parser.add_argument("--repeats", type=int, default=3, help="throughput: best of, interleaved")
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
              "methods": {m: {"uses_group_labels": m in LABEL_METHODS} for m in methods},
              "grid": {m: GRID[m] for m in methods}, "settings": {}}
    if args.throughput:
        log("throughput")
        report["throughput"] = throughput(methods, args)
    for name in args.settings:
        log(f"{name}: {len(args.seeds)} seed(s) x {len(methods)} method(s)")
        report["settings"][name] = run_setting(SETTINGS[name], methods, args)
    report["wall_s"] = time.perf_counter() - start
    print(json.dumps(_rounded(report), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
