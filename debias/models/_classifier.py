"""The baseline face classifier and what every classifier offers for scoring images."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from generative import ConvEncoder, GenerativeModel, register_model, to_float


class ScoresImages:
    """Mixin: scores and hard predictions for uint8 images, batched, in eval mode.

    Subclasses define ``logits(x)``: float images (B, 3, S, S) in [0, 1] -> (B,).
    """

    @torch.no_grad()
    def in_eval_batches(self, images: torch.Tensor, fn, *, batch_size: int) -> list[torch.Tensor]:
        """``fn`` (float images (B, 3, S, S) in [0, 1] on the model's device -> tensor) over
        ``images`` in chunks, in eval mode (the previous mode is restored); each output
        float32 on the CPU."""
        was_training = self.training
        self.eval()
        device = next(self.parameters()).device
        try:
            return [fn(to_float(chunk.to(device))).float().cpu()
                    for chunk in images.split(batch_size)]
        finally:
            self.train(was_training)

    @torch.no_grad()
    def predict_proba(self, images: torch.Tensor, *, batch_size: int = 256) -> np.ndarray:
        """Face probability per image.

        Parameters
        ----------
        images : uint8 tensor (N, 3, S, S), or float in [0, 1]
        batch_size : int
            Images scored at once.

        Returns
        -------
        numpy.ndarray
            float (N,), in [0, 1].
        """
        scores = self.in_eval_batches(images, lambda x: torch.sigmoid(self.logits(x)),
                                      batch_size=batch_size)
        return torch.cat(scores).numpy() if scores else np.zeros(0, dtype=np.float32)

    def predict(self, images: torch.Tensor, *, threshold: float = 0.5) -> np.ndarray:
        """1 where the face probability is at least ``threshold``: int (N,)."""
        return (self.predict_proba(images) >= threshold).astype(np.int64)


@dataclass
class BaselineConfig:
    image_size: int = 64
    width: int = 1


@register_model
class BaselineClassifier(ScoresImages, GenerativeModel):
    """The standard CNN: the DB-VAE encoder with a 1-logit head, trained with BCE.

    Shapes: images (B, 3, S, S) in [0, 1] -> logits (B,).
    """

    config_class = BaselineConfig

    def __init__(self, config: BaselineConfig | None = None) -> None:
        super().__init__(config or BaselineConfig())
        self.encoder = ConvEncoder(1, width=self.config.width, image_size=self.config.image_size)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)[:, 0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits(x)

    def penultimate_features(self, images: torch.Tensor, *, batch_size: int = 256
                             ) -> torch.Tensor:
        """The input of the last layer of uint8 images (N, 3, S, S), in eval mode: float32
        (N, 512) on the CPU (the convolutions, Flatten, Dense 512, ReLU)."""
        body = torch.nn.Sequential(self.encoder.features, *self.encoder.head[:-1])
        parts = self.in_eval_batches(images, body, batch_size=batch_size)
        return torch.cat(parts) if parts else torch.zeros(0, self.encoder.head[-1].in_features)

    # What rarity resampling measures rarity in (DB-VAE: its latent means; here the features).
    latent_means = penultimate_features

    def training_losses(self, batch, group="model"):
        bce = F.binary_cross_entropy_with_logits(self.logits(batch["x"]), batch["y"].float())
        return {"loss": bce, "classification": bce.detach()}
