"""How biased is a standard CNN trained on the synthetic benchmark?

For each seed: generate the benchmark (default sizes) into a temporary folder, train the
DB-VAE paper's standard CNN (``generative.ConvEncoder(1)``) as a face detector on the
training split, and measure on the balanced test split: recall per skin_tone x gender
group, specificity on non-faces, accuracy, the light-dark recall gap and the max-min group
recall gap. Prints JSON with the per-seed figures and mean / std (ddof 1) over seeds.

    python benchmarks/synth_gap.py --seeds 0 1 2

Images are read with PIL + pandas from labels.csv, independently of ``debias.data``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from PIL import Image
from torch import nn

from debias.synth import make_synthetic_benchmark
from generative import ConvEncoder

GROUPS = [("light", "female"), ("light", "male"), ("dark", "female"), ("dark", "male")]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_split(root: Path, split: str) -> tuple[np.ndarray, pd.DataFrame]:
    """uint8 images (N, 3, H, W) and their rows of labels.csv for one split."""
    frame = pd.read_csv(root / "labels.csv", keep_default_na=False, dtype={"skin_tone": str,
                                                                           "gender": str})
    frame = frame[frame["split"] == split].reset_index(drop=True)
    frame["label"] = frame["label"].map({"face": 1, "nonface": 0, "1": 1, "0": 0, 1: 1, 0: 0})
    images = np.stack([np.asarray(Image.open(root / p).convert("RGB")) for p in frame["path"]])
    return images.transpose(0, 3, 1, 2).copy(), frame


def to_float(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images).float().div_(255)


def train(images: np.ndarray, labels: np.ndarray, *, steps: int, batch_size: int, lr: float,
          seed: int) -> nn.Module:
    """BCE-with-logits, Adam; each batch half positives, half negatives, drawn uniformly."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    model = ConvEncoder(1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    model.train()
    half = batch_size // 2
    for step in range(steps):
        idx = np.concatenate([rng.choice(pos, half), rng.choice(neg, batch_size - half)])
        x = to_float(images[idx])
        y = torch.from_numpy(labels[idx]).float()
        loss = loss_fn(model(x).squeeze(1), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if (step + 1) % 100 == 0 or step + 1 == steps:
            log(f"  step {step + 1}/{steps} loss {loss.item():.4f}")
    return model


@torch.no_grad()
def predict(model: nn.Module, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    model.eval()
    out = [model(to_float(images[i:i + batch_size])).squeeze(1).numpy()
           for i in range(0, len(images), batch_size)]
    return (np.concatenate(out) > 0).astype(int)


def evaluate(pred: np.ndarray, frame: pd.DataFrame) -> dict[str, float]:
    label = frame["label"].to_numpy()
    result = {}
    for tone, gender in GROUPS:
        mask = (label == 1) & (frame["skin_tone"] == tone).to_numpy() \
            & (frame["gender"] == gender).to_numpy()
        result[f"recall_{tone}_{gender}"] = float(pred[mask].mean())
    recalls = [result[f"recall_{t}_{g}"] for t, g in GROUPS]
    result["specificity"] = float((pred[label == 0] == 0).mean())
    result["accuracy"] = float((pred == label).mean())
    result["gap_light_dark"] = float(np.mean(recalls[:2]) - np.mean(recalls[2:]))
    result["gap_max_min"] = float(max(recalls) - min(recalls))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=600,
                        help="training steps (600 x 64 images = ~10 epochs of the 4000)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--minority-share", type=float, default=0.05)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    runs = []
    for seed in args.seeds:
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="synth_gap_") as tmp:
            root = make_synthetic_benchmark(Path(tmp) / "bench", n_train=args.n_train,
                                            n_test=args.n_test,
                                            minority_share=args.minority_share, seed=seed)
            t_gen = time.perf_counter() - t0
            x_train, f_train = load_split(root, "train")
            x_test, f_test = load_split(root, "test")
        log(f"seed {seed}: generated in {t_gen:.1f}s, training")
        t1 = time.perf_counter()
        model = train(x_train, f_train["label"].to_numpy(), steps=args.steps,
                      batch_size=args.batch_size, lr=args.lr, seed=seed)
        t_train = time.perf_counter() - t1
        metrics = evaluate(predict(model, x_test), f_test)
        metrics.update(seed=seed, generate_s=round(t_gen, 2), train_s=round(t_train, 2))
        log(f"seed {seed}: " + ", ".join(f"{k}={v:.3f}" for k, v in metrics.items()
                                          if isinstance(v, float)))
        runs.append(metrics)
    keys = [k for k in runs[0] if k not in ("seed", "generate_s", "train_s")]
    summary = {}
    for k in keys:
        values = np.array([r[k] for r in runs])
        summary[k] = {"mean": round(float(values.mean()), 4),
                      "std": round(float(values.std(ddof=1)), 4) if len(values) > 1 else None}
    print(json.dumps({
        "config": {**vars(args), "model": "generative.ConvEncoder(1)"},
        "summary": summary,
        "runs": [{k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}
                 for r in runs],
        "wall_s": round(time.perf_counter() - start, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
