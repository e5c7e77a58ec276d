"""GAN networks: shapes, output ranges, DCGAN init statistics, the projection term."""

from __future__ import annotations

import pytest
import torch

from generative._gan_nets import (
    DCGANDiscriminator,
    DCGANGenerator,
    PatchDiscriminator,
    ResnetGenerator,
    init_dcgan_weights,
)


@pytest.mark.parametrize("size", [16, 32, 64, 128])
def test_dcgan_shapes_and_range(size):
    g = DCGANGenerator(8, image_size=size, width=4)
    d = DCGANDiscriminator(image_size=size, width=4)
    images = g(torch.randn(3, 8))
    assert images.shape == (3, 3, size, size)
    assert images.min() >= 0 and images.max() <= 1
    assert d(images).shape == (3,)


@pytest.mark.parametrize("size", [12, 48, 8])
def test_dcgan_refuses_sizes_it_cannot_make(size):
    with pytest.raises(ValueError, match="power of two"):
        DCGANGenerator(8, image_size=size)
    with pytest.raises(ValueError, match="power of two"):
        DCGANDiscriminator(image_size=size)


def test_conditional_nets_need_classes():
    g = DCGANGenerator(8, image_size=16, width=4, n_classes=3)
    d = DCGANDiscriminator(image_size=16, width=4, n_classes=3)
    y = torch.tensor([0, 2])
    assert g(torch.randn(2, 8), y).shape == (2, 3, 16, 16)
    with pytest.raises(ValueError, match="class"):
        g(torch.randn(2, 8))
    with pytest.raises(ValueError, match="class"):
        d(torch.rand(2, 3, 16, 16))


def test_init_statistics_over_a_big_layer():
    torch.manual_seed(0)
    g = DCGANGenerator(100, image_size=64, width=64)
    g.apply(init_dcgan_weights)
    conv, bn = g.net[0], g.net[1]           # 100 -> 512 channels: 819,200 weights
    assert conv.weight.numel() > 500_000
    assert abs(conv.weight.mean().item()) < 1e-3
    assert conv.weight.std().item() == pytest.approx(0.02, rel=0.02)
    assert bn.weight.mean().item() == pytest.approx(1.0, abs=0.005)
    assert bn.weight.std().item() == pytest.approx(0.02, rel=0.2)
    assert torch.count_nonzero(bn.bias) == 0
    assert torch.count_nonzero(g.net[-2].bias) == 0


def test_projection_discriminator_adds_a_class_dependent_inner_product():
    torch.manual_seed(0)
    cond = DCGANDiscriminator(image_size=32, width=4, n_classes=3).eval()
    plain = DCGANDiscriminator(image_size=32, width=4).eval()
    plain.load_state_dict({k: v for k, v in cond.state_dict().items() if not k.startswith("embed")})
    x = torch.rand(1, 3, 32, 32).expand(3, -1, -1, -1)
    with torch.no_grad():
        logits = cond(x, torch.arange(3))
        base = plain(x)
        assert logits.unique().numel() == 3          # same image, three classes, three logits
        # The class term is linear in the embedding and vanishes with it.
        cond.embed.weight.mul_(2.0)
        torch.testing.assert_close(cond(x, torch.arange(3)) - base, 2 * (logits - base))
        cond.embed.weight.zero_()
        torch.testing.assert_close(cond(x, torch.arange(3)), base)


@pytest.mark.parametrize("size", [32, 64])
def test_cyclegan_nets_shapes_and_range(size):
    g = ResnetGenerator(n_blocks=2, width=4)
    x = torch.rand(2, 3, size, size)
    out = g(x)
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    side = size // 8 - 2
    assert PatchDiscriminator(width=4, n_layers=3)(x).shape == (2, 1, side, side)
    assert PatchDiscriminator(width=4, n_layers=2)(x).shape == (2, 1, size // 4 - 2, size // 4 - 2)


def test_default_patch_discriminator_sees_70_pixel_patches():
    d = PatchDiscriminator()
    # InstanceNorm couples all positions through its statistics; the receptive field is the
    # convolutions' alone.
    for i, layer in enumerate(d.net):
        if isinstance(layer, torch.nn.InstanceNorm2d):
            d.net[i] = torch.nn.Identity()
    x = torch.randn(1, 3, 128, 128, requires_grad=True)
    d(x)[0, 0, 7, 7].backward()
    rows = x.grad.abs().sum(dim=(0, 1, 3)).nonzero().flatten()
    assert rows.max() - rows.min() + 1 == 70
