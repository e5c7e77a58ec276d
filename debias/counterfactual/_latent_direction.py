"""A counterfactual without a generator: move a DB-VAE latent code across the direction that
separates two attribute values, decode, and score the result."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from generative import to_float, to_uint8


def attribute_direction(mu: np.ndarray, is_target: np.ndarray) -> tuple[np.ndarray, float]:
    """Unit direction in latent space from the source value toward the target value.

    A logistic regression on standardised μ separates the two values; its weights, mapped
    back to μ's scale, give the direction. Returns the direction (D,) and the mean distance
    between the two groups' projections on it (how far an edit must move a code).
    """
    mu = np.asarray(mu, dtype=np.float64)
    y = np.asarray(is_target, dtype=int)
    if y.min() == y.max():
        raise ValueError("need codes of both attribute values to find a direction")
    scaler = StandardScaler().fit(mu)
    probe = LogisticRegression(max_iter=2000).fit(scaler.transform(mu), y)
    direction = probe.coef_[0] / scaler.scale_
    direction /= np.linalg.norm(direction)
    projection = mu @ direction
    gap = float(projection[y == 1].mean() - projection[y == 0].mean())
    return direction, gap


@torch.no_grad()
def latent_counterfactuals(model, images: torch.Tensor, direction: np.ndarray, distance: float,
                           *, batch_size: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Decode each image's μ as it is and moved by ``distance`` along ``direction``.

    Both are decoded, so the comparison is between two reconstructions and the decoder's
    blur affects both sides alike.

    Returns
    -------
    (reconstructions, counterfactuals) : uint8 tensors (N, 3, S, S)
    """
    was_training = model.training
    model.eval()
    step = torch.as_tensor(direction * distance, dtype=torch.float32)
    device = next(model.parameters()).device
    recon, moved = [], []
    try:
        for chunk in images.split(batch_size):
            mu = model.encode(to_float(chunk.to(device)))[1]
            for codes, out in ((mu, recon), (mu + step.to(device), moved)):
                out.append(to_uint8(model.decoder(codes).cpu()))
    finally:
        model.train(was_training)
    return torch.cat(recon), torch.cat(moved)
