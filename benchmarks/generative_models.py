"""AE / VAE / GAN / CycleGAN on the synthetic faces after a fixed step budget, as JSON.

Prints the test-split reconstruction error of the AE and VAE (with two reference points: an
untrained network and "always predict the mean training face"), training throughput of each
model on this machine, and simple statistics of GAN samples against the data. Saves sample
grids as PNG under --out, for a person to look at.

    python benchmarks/generative_models.py [--steps 300] [--threads 2] [--out out/bench-generative]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time


def _throughput(model, batches, config, images_per_step: int):
    from generative import train

    start = time.perf_counter()
    result = train(model, batches, config)
    seconds = time.perf_counter() - start
    return result, round(result.steps * images_per_step / seconds, 1), round(seconds, 1)


def _reconstruction_error(model, images, kind: str) -> dict[str, float]:
    """Mean L1 and L2 over the test faces (deterministic: the VAE decodes μ)."""
    import torch

    model.eval()
    l1 = l2 = 0.0
    with torch.no_grad():
        for start in range(0, len(images), 256):
            x = images[start:start + 256].float() / 255
            code = model.encode(x)
            x_hat = model.decode(code[0] if kind == "vae" else code)
            l1 += (x - x_hat).abs().mean(dim=(1, 2, 3)).sum().item()
            l2 += (x - x_hat).pow(2).mean(dim=(1, 2, 3)).sum().item()
    return {"l1": round(l1 / len(images), 4), "l2": round(l2 / len(images), 4)}


def _mean_cycle(history) -> float:
    """Mean of cycle_a + cycle_b (L1, both directions) over some steps."""
    total = sum(h["generator/cycle_a"] + h["generator/cycle_b"] for h in history)
    return round(total / len(history), 4)


def _image_stats(x) -> dict[str, float]:
    """Channel means and the mean per-pixel std over images, of floats in [0, 1]."""
    means = x.mean(dim=(0, 2, 3)).tolist()
    return {"mean_rgb": [round(m, 3) for m in means],
            "pixel_std": round(x.std(dim=0).mean().item(), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="optimizer steps per model")
    parser.add_argument("--cyclegan-steps", type=int, default=200)
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-test", type=int, default=800)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (fixed)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default="out/bench-generative", help="where grids go")
    args = parser.parse_args()

    import torch

    from debias.data import load_dataset
    from debias.synth import make_synthetic_benchmark
    from generative import (
        GAN, VAE, Autoencoder, AutoencoderConfig, CycleGAN, CycleGANConfig, GANConfig,
        ImageBatches, TrainerConfig, UnpairedBatches, VAEConfig, save_grid,
    )

    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    report: dict = {"threads": args.threads, "device": args.device, "steps": args.steps,
                    "torch": torch.__version__}
    with tempfile.TemporaryDirectory() as tmp:
        root = make_synthetic_benchmark(os.path.join(tmp, "synth"), n_train=args.n_train,
                                        n_test=args.n_test, seed=0, progress=False)
        data = load_dataset(root, progress=False)
    train_faces = data.named_split("train")
    train_faces = train_faces.subset(train_faces.labels == 1)
    test = data.named_split("test")
    test_faces = test.subset(test.labels == 1)
    report["train_faces"], report["test_faces"] = len(train_faces), len(test_faces)

    def config(steps, **kw):
        return TrainerConfig(epochs=10**6, max_steps=steps, device=args.device, seed=0,
                             progress=False, **kw)

    mean_face = train_faces.images.float().mean(dim=0, keepdim=True) / 255
    x_test = test_faces.images.float() / 255
    report["mean_face_error"] = {
        "l1": round((x_test - mean_face).abs().mean().item(), 4),
        "l2": round((x_test - mean_face).pow(2).mean().item(), 4)}

    for kind, cls, cfg in (("ae", Autoencoder, AutoencoderConfig()), ("vae", VAE, VAEConfig())):
        torch.manual_seed(0)
        model = cls(cfg)
        before = _reconstruction_error(model, test_faces.images, kind)
        batches = ImageBatches(train_faces.images, batch_size=64)
        result, ips, seconds = _throughput(model, batches, config(args.steps), 64)
        model.cpu()
        after = _reconstruction_error(model, test_faces.images, kind)
        report[kind] = {"test_error_untrained": before, "test_error": after,
                        "images_per_s": ips, "seconds": seconds}
        with torch.no_grad():
            x = x_test[:32]
            code = model.encode(x)
            recon = model.decode(code[0] if kind == "vae" else code)
            save_grid(torch.cat([x, recon]), os.path.join(args.out, f"{kind}_reconstructions.png"), nrow=8)
            if kind == "vae":
                samples = model.sample(64, generator=torch.Generator().manual_seed(0))
                save_grid(samples, os.path.join(args.out, "vae_samples.png"), nrow=8)

    torch.manual_seed(0)
    gan = GAN(GANConfig(image_size=64, width=32))
    batches = ImageBatches(train_faces.images, batch_size=64)
    result, ips, seconds = _throughput(gan, batches, config(args.steps), 64)
    gan.cpu().eval()
    samples = gan.sample(256, generator=torch.Generator().manual_seed(0))
    last = result.history[-50:]
    report["gan"] = {
        "images_per_s": ips, "seconds": seconds,
        "discriminator_loss_last50": round(sum(h["discriminator/loss"] for h in last) / len(last), 4),
        "generator_loss_last50": round(sum(h["generator/loss"] for h in last) / len(last), 4),
        "samples": _image_stats(samples), "data": _image_stats(x_test)}
    save_grid(samples[:64], os.path.join(args.out, "gan_samples.png"), nrow=8)

    torch.manual_seed(0)
    tone = train_faces.meta["skin_tone"].to_numpy()
    light = train_faces.images[torch.from_numpy(tone == "light")]
    dark = train_faces.images[torch.from_numpy(tone == "dark")]
    cyc = CycleGAN(CycleGANConfig(image_size=64, width=16, n_blocks=4))
    batches = UnpairedBatches(light, dark, batch_size=4)
    result, ips, seconds = _throughput(cyc, batches, config(args.cyclegan_steps), 8)
    cyc.cpu().eval()
    first, last = result.history[:20], result.history[-20:]
    report["cyclegan"] = {
        "images_per_s": ips, "seconds": seconds, "steps": result.steps,
        "cycle_loss_first20": _mean_cycle(first), "cycle_loss_last20": _mean_cycle(last)}
    test_tone = test_faces.meta["skin_tone"].to_numpy()
    a = x_test[torch.from_numpy(test_tone == "light")][:16]
    with torch.no_grad():
        save_grid(torch.cat([a, cyc.translate(a, "a2b")]),
                  os.path.join(args.out, "cyclegan_light_to_dark.png"), nrow=8)
    report["grids"] = sorted(os.path.join(args.out, f) for f in os.listdir(args.out)
                             if f.endswith(".png"))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
