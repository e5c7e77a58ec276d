"""Generative models (AE, VAE, GAN, CycleGAN), their losses, and one trainer for all.

This package knows nothing of fairness; ``debias`` builds on it.
"""

from generative._autoencoders import VAE, Autoencoder, AutoencoderConfig, VAEConfig
from generative._base import MODEL_CLASSES, GenerativeModel, register_model
from generative._batches import BatchSource, ImageBatches, UnpairedBatches
from generative._cyclegan import CycleGAN, CycleGANConfig, ImagePool
from generative._gan import GAN, GANConfig
from generative._gan_nets import (
    DCGANDiscriminator,
    DCGANGenerator,
    PatchDiscriminator,
    ResnetGenerator,
    init_dcgan_weights,
)
from generative._distributed import (
    barrier,
    gather_rows,
    init_from_env,
    is_main_process,
    launched_by_torchrun,
    mean_across_ranks,
    rank_and_world,
    shutdown,
)
from generative._checkpoint import (
    CheckpointError, load_checkpoint, load_model, model_from_checkpoint, save_checkpoint,
)
from generative._losses import (
    cycle_loss,
    discriminator_loss,
    generator_loss,
    identity_loss,
    latent_loss,
    reconstruction_loss,
    reparameterize,
    vae_loss,
)
from generative._files import write_atomic
from generative._grid import interleave, save_grid
from generative._images import to_float, to_uint8
from generative._nets import ConvDecoder, ConvEncoder
from generative._seed import seeded
from generative._trainer import TrainerConfig, TrainingDiverged, TrainResult, linear_decay, train

__all__ = [
    "seeded", "to_float", "to_uint8", "write_atomic",
    "barrier", "gather_rows", "init_from_env", "is_main_process", "launched_by_torchrun",
    "mean_across_ranks", "rank_and_world", "shutdown",
    "GAN", "CycleGAN", "CycleGANConfig", "DCGANDiscriminator", "DCGANGenerator", "GANConfig",
    "ImagePool", "PatchDiscriminator", "ResnetGenerator", "init_dcgan_weights",
    "MODEL_CLASSES", "VAE", "Autoencoder", "AutoencoderConfig", "BatchSource", "CheckpointError",
    "ConvDecoder", "ConvEncoder", "GenerativeModel", "ImageBatches", "TrainResult", "TrainerConfig",
    "TrainingDiverged", "UnpairedBatches", "VAEConfig", "cycle_loss", "discriminator_loss",
    "generator_loss", "identity_loss", "interleave", "latent_loss", "linear_decay", "load_checkpoint",
    "load_model", "model_from_checkpoint", "reconstruction_loss", "register_model", "reparameterize", "save_checkpoint", "save_grid",
    "train", "vae_loss",
]
