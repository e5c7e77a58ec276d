"""CycleGAN: the image pool, the losses against hand-assembled ones, translation of two
synthetic domains, and the learning-rate schedule through the trainer."""

from __future__ import annotations

import pytest
import torch

from generative import (
    TrainerConfig,
    UnpairedBatches,
    load_checkpoint,
    load_model,
    save_checkpoint,
    train,
)
from generative._cyclegan import CycleGAN, CycleGANConfig, ImagePool

RED, BLUE = (220, 30, 30), (30, 30, 220)


def tiny(**kw) -> CycleGAN:
    return CycleGAN(CycleGANConfig(**{"image_size": 32, "width": 4, "n_blocks": 1,
                                      "disc_layers": 2, **kw}))


def squares(n, color, *, size=32, seed=0):
    """uint8 images (n, 3, size, size): a size/2 square of ``color`` at a random place on a
    dark ground; and the squares' masks (n, size, size)."""
    g = torch.Generator().manual_seed(seed)
    images = torch.full((n, 3, size, size), 20, dtype=torch.uint8)
    masks = torch.zeros(n, size, size, dtype=torch.bool)
    side = size // 2
    for i in range(n):
        top, left = torch.randint(0, size - side + 1, (2,), generator=g).tolist()
        masks[i, top:top + side, left:left + side] = True
    for c in range(3):
        images[:, c][masks] = color[c]
    return images, masks


def numbered(start, n):
    """Images (n, 1, 1, 1) whose single value is their number."""
    return torch.arange(start, start + n, dtype=torch.float32).view(n, 1, 1, 1)


def test_pool_of_size_zero_returns_its_input():
    x = torch.rand(4, 3, 8, 8)
    assert ImagePool(0).query(x) is x


def test_pool_returns_new_images_until_full_then_a_half_mix():
    pool = ImagePool(50, seed=0)
    for start in range(0, 50, 10):
        assert torch.equal(pool.query(numbered(start, 10)), numbered(start, 10))
    returned, asked = [], []
    for start in range(50, 4050, 8):
        asked.append(numbered(start, 8).flatten())
        returned.append(pool.query(numbered(start, 8)).flatten())
    asked, returned = torch.cat(asked), torch.cat(returned)
    from_pool = returned != asked
    assert (returned[from_pool] < asked[from_pool]).all()      # only images seen before
    assert from_pool.float().mean().item() == pytest.approx(0.5, abs=0.03)   # 4000 draws
    assert len(returned.unique()) == len(returned)             # a stored image leaves when used


def test_pool_is_reproducible_with_its_seed_whatever_the_global_rng():
    def run(seed):
        pool = ImagePool(5, seed=seed)
        return torch.cat([pool.query(numbered(s, 4)).flatten() for s in range(0, 200, 4)])

    torch.manual_seed(1)
    first = run(0)
    torch.manual_seed(2)
    assert torch.equal(first, run(0))
    assert not torch.equal(first, run(1))


def test_group_steps_change_only_their_networks():
    torch.manual_seed(0)
    model = tiny()
    groups = model.optimizer_groups()
    assert list(groups) == ["generator", "discriminator"]
    nets = {"generator": (model.g_ab, model.g_ba), "discriminator": (model.d_a, model.d_b)}
    batch = {"a": squares(2, RED)[0].float() / 255, "b": squares(2, BLUE, seed=1)[0].float() / 255}
    for group, other in [("generator", "discriminator"), ("discriminator", "generator")]:
        before = {k: [p.clone() for n in v for p in n.parameters()] for k, v in nets.items()}
        opt = torch.optim.Adam(groups[group], **model.optimizer_settings())
        model.training_losses(batch, group=group)["loss"].backward()
        opt.step()
        after = {k: list(p for n in v for p in n.parameters()) for k, v in nets.items()}
        assert all(not torch.equal(a, b) for a, b in zip(before[group], after[group]))
        assert all(torch.equal(a, b) for a, b in zip(before[other], after[other]))


@pytest.mark.parametrize("lambda_identity", [0.5, 0.0])
def test_generator_loss_is_the_hand_assembled_sum(lambda_identity):
    torch.manual_seed(0)
    model = tiny(lambda_identity=lambda_identity)
    a, b = torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32)
    losses = model.training_losses({"a": a, "b": b}, group="generator")
    with torch.no_grad():
        fake_b, fake_a = model.g_ab(a), model.g_ba(b)
        gan_ab = ((model.d_b(fake_b) - 1) ** 2).mean()
        gan_ba = ((model.d_a(fake_a) - 1) ** 2).mean()
        cycle_a = (model.g_ba(fake_b) - a).abs().mean()
        cycle_b = (model.g_ab(fake_a) - b).abs().mean()
        identity_a = (model.g_ba(a) - a).abs().mean()
        identity_b = (model.g_ab(b) - b).abs().mean()
    expected = gan_ab + gan_ba + 10.0 * (cycle_a + cycle_b)
    if lambda_identity:
        expected = expected + 0.5 * 10.0 * (identity_a + identity_b)
        torch.testing.assert_close(losses["identity_a"], identity_a)
        torch.testing.assert_close(losses["identity_b"], identity_b)
    else:
        assert "identity_a" not in losses
    torch.testing.assert_close(losses["loss"], expected)
    for name, value in [("gan_ab", gan_ab), ("gan_ba", gan_ba), ("cycle_a", cycle_a), ("cycle_b", cycle_b)]:
        torch.testing.assert_close(losses[name], value)


def lsgan_d(d, real, fake):
    return 0.5 * (((d(real) - 1) ** 2).mean() + (d(fake) ** 2).mean())


def test_discriminator_step_scores_the_fakes_of_the_generator_step_before_its_update():
    torch.manual_seed(0)
    model = tiny(pool_size=0)
    batch = {"a": torch.rand(2, 3, 32, 32), "b": torch.rand(2, 3, 32, 32)}
    a, b = batch["a"], batch["b"]
    with torch.no_grad():
        old_fake_a, old_fake_b = model.g_ba(b), model.g_ab(a)
    opt = torch.optim.Adam(model.optimizer_groups()["generator"], lr=1e-2)
    model.training_losses(batch, group="generator")["loss"].backward()
    opt.step()
    losses = model.training_losses(batch, group="discriminator")
    with torch.no_grad():
        d_a, d_b = lsgan_d(model.d_a, a, old_fake_a), lsgan_d(model.d_b, b, old_fake_b)
        # Fresh fakes from the updated generators would give other numbers: the check bites.
        assert not torch.allclose(lsgan_d(model.d_b, b, model.g_ab(a)), d_b)
        torch.testing.assert_close(losses["d_a"], d_a)
        torch.testing.assert_close(losses["d_b"], d_b)
        torch.testing.assert_close(losses["loss"], d_a + d_b)
        # Nothing stashed (another batch): the fakes are made from the current generators.
        other = {"a": a.clone(), "b": b.clone()}
        fresh = model.training_losses(other, group="discriminator")
        torch.testing.assert_close(fresh["d_b"], lsgan_d(model.d_b, b, model.g_ab(a)))


def test_translate_returns_images_of_the_input_shape_in_eval_mode():
    torch.manual_seed(0)
    model = tiny().train()
    x = torch.rand(3, 3, 32, 32)
    for direction in ("a2b", "b2a"):
        out = model.translate(x, direction)
        assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1 and not out.requires_grad
    assert model.training
    as_bytes = (x * 255).round().to(torch.uint8)
    torch.testing.assert_close(model.translate(as_bytes), model.g_ab(as_bytes.float() / 255))
    with pytest.raises(ValueError, match="direction"):
        model.translate(x, "a2a")


def test_cyclegan_turns_red_squares_blue():
    a, _ = squares(64, RED, seed=0)
    b, _ = squares(64, BLUE, seed=1)
    test_a, masks = squares(32, RED, seed=2)
    b_mean = b.float().div(255).mean(dim=(0, 2, 3))

    def measure(model):
        out = model.translate(test_a).permute(0, 2, 3, 1)     # (N, H, W, 3)
        square, ground = out[masks], out[~masks]              # (P, 3) pixels each
        blue_minus_red = (square[:, 2] - square[:, 0]).mean().item()
        return blue_minus_red, ground.mean().item(), (out.mean(dim=(0, 1, 2)) - b_mean).norm().item()

    torch.manual_seed(0)
    model = tiny(width=8, n_blocks=2)
    before = measure(model)
    train(model, UnpairedBatches(a, b, batch_size=4),
          TrainerConfig(epochs=10, lr=1e-3, device="cpu", progress=False))    # 160 steps
    after = measure(model)
    # Inside the square blue − red is −0.75 in A and +0.75 in B.
    assert abs(before[0]) < 0.2 and after[0] > 0.4, (before, after)    # measured: -0.03 -> 0.67-0.73
    assert after[1] < 0.2                                               # ground stays dark (0.09)
    assert after[2] < 0.25 * before[2]            # mean colour to B's: 0.65 -> 0.005


def test_lr_schedule_is_constant_then_linear_decay(tmp_path):
    torch.manual_seed(0)
    model = tiny()
    path = tmp_path / "cyclegan.pt"
    result = train(model, UnpairedBatches(squares(4, RED)[0], squares(4, BLUE)[0], batch_size=2),
                   TrainerConfig(epochs=4, decay_start_epoch=2, device="cpu", progress=False,
                                 checkpoint=str(path)))
    base = model.config.lr
    expected = [base, base, base * 2 / 3, base / 3]
    assert [r["epoch"] for r in result.history] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert [r["lr"] for r in result.history] == pytest.approx([lr for lr in expected for _ in "ab"])
    # The optimizers themselves ran at that rate.
    saved = load_checkpoint(path)["optimizer"]
    for group in ("generator", "discriminator"):
        assert saved[group]["param_groups"][0]["lr"] == pytest.approx(base / 3)
    loaded = load_model(save_checkpoint(tmp_path / "again.pt", model))
    x = torch.rand(2, 3, 32, 32)
    assert torch.equal(loaded.translate(x, "b2a"), model.translate(x, "b2a"))
