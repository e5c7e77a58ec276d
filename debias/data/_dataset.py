"""ImageDataset: decoded images with labels and subgroup attributes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from debias.data._disk import rows_to_scratch, scratch_dir
from debias.data._manifest import SkippedFile
from debias.data._split import stratified_split
from debias.errors import DataError


@dataclass(eq=False)
class ImageDataset:
    """Images, binary labels and subgroup attributes of one dataset.

    Attributes
    ----------
    images : uint8 tensor, shape (N, 3, H, W)
        RGB images, values 0..255.
    labels : int64 tensor, shape (N,)
        1 for the positive class (a face), 0 otherwise.
    meta : DataFrame with N rows
        ``path`` (relative to ``root``), ``file`` (path opened), ``label``, ``split`` when the
        layout gives one, and a string column per attribute. Rows added by augmentation carry
        a ``synthetic`` column naming their generator ("" for real images).
    attributes : list of str
        The subgroup attribute columns of ``meta``.
    root : Path
        The dataset folder.
    format : str
        The layout it was read from (csv, folder, celeba, utkface, fairface).
    skipped : list of SkippedFile
        Files left out, with the reason.
    warnings : list of str
        Things the user should know that did not stop loading.
    original_sizes : int32 ndarray, shape (N, 2)
        (width, height) of each file before resizing.
    memory_budget : int, optional
        Bytes a subset's images may take in memory; a larger subset is written to an
        unnamed scratch file in ``scratch_dir`` and memmapped. None: always in memory.
    scratch_dir : Path, optional
        Where such scratch files go (the decode cache folder).
    bins : dict
        Attribute -> how its numbers were binned into ranges: ``{"edges": [...], "labels":
        [...], "chosen": "given" or "quartiles"}`` (labels in increasing order).
    classes : (str, str)
        The names of label 1 and label 0 (``("face", "non-face")``, ``("female", "male")``).
    """

    images: torch.Tensor
    labels: torch.Tensor
    meta: pd.DataFrame
    attributes: list[str]
    root: Path
    format: str = "csv"
    skipped: list[SkippedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    original_sizes: np.ndarray | None = None
    memory_budget: int | None = None
    scratch_dir: Path | None = None
    bins: dict = field(default_factory=dict)
    classes: tuple[str, str] = ("face", "non-face")

    def __post_init__(self) -> None:
        n = len(self.images)
        if self.images.dtype != torch.uint8 or self.images.ndim != 4 or self.images.shape[1] != 3:
            raise ValueError(f"images must be uint8 (N, 3, H, W), got {self.images.dtype} "
                             f"{tuple(self.images.shape)}")
        if len(self.labels) != n or len(self.meta) != n:
            raise ValueError(f"{n} images but {len(self.labels)} labels and {len(self.meta)} rows")
        if self.original_sizes is None:
            self.original_sizes = np.tile(np.asarray(self.images.shape[2:][::-1], np.int32), (n, 1))

    def __len__(self) -> int:
        return len(self.images)

    @property
    def image_size(self) -> int:
        return int(self.images.shape[-1])

    def subset(self, index: np.ndarray | list[int]) -> ImageDataset:
        """The rows at ``index`` (positions or a boolean mask of length N)."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        tensor_index = torch.from_numpy(index.astype(np.int64))
        row_bytes = self.images[0].numel() if len(self.images) else 0
        if self.memory_budget is not None and len(index) * row_bytes > self.memory_budget:
            images = rows_to_scratch(self.images, index.astype(np.int64),
                                     scratch_dir(self.scratch_dir))
        else:
            images = self.images[tensor_index]
        return replace(
            self,
            images=images,
            labels=self.labels[tensor_index],
            meta=self.meta.iloc[index].reset_index(drop=True),
            original_sizes=self.original_sizes[index],
        )

    @property
    def synthetic(self) -> np.ndarray:
        """bool (N,): True for images a generator made (``meta["synthetic"]`` not empty)."""
        if "synthetic" not in self.meta.columns:
            return np.zeros(len(self), dtype=bool)
        return self.meta["synthetic"].fillna("").astype(str).str.len().to_numpy() > 0

    def group_keys(self, attributes: list[str] | None = None) -> pd.Series:
        """One string per row naming its subgroup, e.g. ``"skin_tone=dark, gender=male"``."""
        attributes = self.attributes if attributes is None else attributes
        if not attributes:
            return pd.Series(["all"] * len(self), dtype=str)
        return _join_columns(self.meta, attributes, ", ", named=True)

    def split(self, *, test_size: float = 0.2, seed: int = 0,
              use_split_column: bool = True) -> tuple[ImageDataset, ImageDataset]:
        """Train and test parts.

        With a ``split`` column (and ``use_split_column``), rows marked ``train`` and ``test``;
        ``val`` rows are in neither (see :meth:`named_split`). Otherwise a seeded split
        stratified by label x every attribute.

        Synthetic images (:attr:`synthetic`) always go to the training part: a generated
        image is never judged as if it were a real person. The real images are split exactly
        as they would be without them.
        """
        made = self.synthetic
        if made.any():
            train, test = self.subset(~made).split(test_size=test_size, seed=seed,
                                                   use_split_column=use_split_column)
            return _concat(train, self.subset(made)), test
        if use_split_column and "split" in self.meta.columns:
            if not (self.meta["split"] == "test").any():
                raise DataError("the split column has no 'test' rows; add some or split at random")
            return self.named_split("train"), self.named_split("test")
        if not 0.0 < test_size < 1.0:
            raise DataError(f"test_size must be between 0 and 1, got {test_size}")
        strata = self.labels.numpy().astype(str) + "|" + self.group_keys().to_numpy()
        train, test = stratified_split(strata, test_size=test_size, seed=seed)
        return self.subset(train), self.subset(test)

    def with_images(self, other: ImageDataset) -> ImageDataset:
        """These rows, then ``other``'s (same image size; ``other``'s extra columns kept)."""
        if other.image_size != self.image_size:
            raise ValueError(f"cannot join {self.image_size}px and {other.image_size}px images")
        return _concat(self, other)

    def named_split(self, name: str) -> ImageDataset:
        """The rows whose ``split`` column equals ``name`` (train, val or test)."""
        if "split" not in self.meta.columns:
            raise DataError("this dataset has no split column")
        return self.subset((self.meta["split"] == name).to_numpy())

    def summary(self) -> dict:
        """Counts a user checks first: per label, split, attribute value and pair, plus sizes."""
        meta = self.meta
        label_name = meta["label"].map({1: "positive", 0: "negative"})
        out: dict = {
            "root": str(self.root),
            "format": self.format,
            "n_images": len(self),
            "image_size": self.image_size,
            "labels": {"positive": int((meta["label"] == 1).sum()),
                       "negative": int((meta["label"] == 0).sum())},
            "classes": {"positive": self.classes[0], "negative": self.classes[1]},
            "attributes": list(self.attributes),
        }
        if self.bins:
            out["bins"] = {a: {k: list(v) if isinstance(v, list) else v for k, v in b.items()}
                           for a, b in self.bins.items()}
        if "split" in meta.columns:
            out["splits"] = _counts_by_label(meta[["split"]], label_name)
        out["per_attribute"] = {a: _in_order(_counts_by_label(meta[[a]], label_name),
                                             self.bins.get(a, {}).get("labels", []))
                                for a in self.attributes}
        out["intersections"] = {
            f"{a} x {b}": _counts_by_label(meta[[a, b]], label_name)
            for a, b in combinations(self.attributes, 2)
        }
        sizes = self.original_sizes
        if len(sizes):
            pairs, counts = np.unique(sizes, axis=0, return_counts=True)
            top = np.argsort(-counts, kind="stable")[:5]
            out["original_sizes"] = {
                "width": _spread(sizes[:, 0]), "height": _spread(sizes[:, 1]),
                "most_common": [{"size": f"{pairs[i][0]}x{pairs[i][1]}", "count": int(counts[i])}
                                for i in top],
            }
        out["skipped"] = [{"path": s.path, "reason": s.reason} for s in self.skipped]
        out["warnings"] = list(self.warnings)
        return out


def _concat(first: ImageDataset, second: ImageDataset) -> ImageDataset:
    meta = pd.concat([first.meta, second.meta], ignore_index=True)
    if "synthetic" in meta.columns:
        meta["synthetic"] = meta["synthetic"].fillna("").astype(str)
    return replace(first, images=torch.cat([first.images, second.images]),
                   labels=torch.cat([first.labels, second.labels]), meta=meta,
                   original_sizes=np.concatenate([first.original_sizes, second.original_sizes]))


def _counts_by_label(columns: pd.DataFrame, label_name: pd.Series) -> dict:
    """{"value" or "v1 | v2": {"positive": n, "negative": n}} sorted by key."""
    keys = _join_columns(columns, list(columns.columns), " | ", named=False)
    table = pd.crosstab(keys, label_name)
    return {key: {c: int(table.loc[key, c]) if c in table.columns else 0
                  for c in ("positive", "negative")} for key in sorted(table.index)}


def _in_order(counts: dict, labels: list[str]) -> dict:
    """``counts`` with a binned attribute's ranges in increasing order, other keys after."""
    rank = {label: i for i, label in enumerate(labels)}
    return dict(sorted(counts.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))


def _join_columns(frame: pd.DataFrame, columns: list[str], sep: str, *, named: bool) -> pd.Series:
    """Row-wise join of string columns, vectorised (``a=x, b=y`` when ``named``)."""
    parts = [(f"{c}=" if named else "") + frame[c].astype(str) for c in columns]
    keys = parts[0]
    for part in parts[1:]:
        keys = keys + sep + part
    return keys.reset_index(drop=True)


def _spread(values: np.ndarray) -> dict:
    return {"min": int(values.min()), "median": float(np.median(values)), "max": int(values.max())}
