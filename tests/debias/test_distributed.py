"""Training under DistributedDataParallel: 2 gloo processes on the CPU (issue 8).

Each process is spawned fresh (as torchrun would start it), joins a file-initialised gloo
group, and writes what it saw to disk; the test compares that with one process on the same
data.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from debias.models import DBVAE, DBVAEConfig
from debias.resampling import BalancedBatches
from debias.training import fit

from tests.toy_faces import SIZE, make_data

WORLD = 2
BATCH = 16


def fresh_dbvae() -> DBVAE:
    torch.manual_seed(0)
    return DBVAE(DBVAEConfig(image_size=SIZE, latent_dim=8))


def _worker(rank: int, folder: str, backend: str) -> None:
    """One rank: weights, draws, a 3-epoch fit with a checkpoint, then a resume to 5."""
    torch.set_num_threads(1)
    device = "cuda" if backend == "nccl" else "cpu"
    if device == "cuda":
        torch.cuda.set_device(rank)
    dist.init_process_group(backend, init_method=f"file://{folder}/rendezvous", rank=rank,
                            world_size=WORLD)
    try:
        import generative._trainer as trainer

        data = make_data()
        batches = BalancedBatches(data.images, data.labels, batch_size=BATCH, adaptive=True)
        weights, _ = batches.update_weights(fresh_dbvae())
        draws = [batch["index"].tolist()
                 for batch in batches.epoch(0, torch.Generator().manual_seed(5), fresh_dbvae())]
        saves = []
        original = trainer.save_checkpoint
        trainer.save_checkpoint = lambda *a, **k: (saves.append(rank), original(*a, **k))
        first = fit(data, model="dbvae", epochs=3, batch_size=BATCH, latent_dim=8, seed=0,
                    device=device, checkpoint=f"{folder}/model.pt", progress=False)
        resumed = fit(data, model="dbvae", epochs=5, batch_size=BATCH, latent_dim=8, seed=0,
                      device=device, checkpoint=f"{folder}/model.pt", resume=True,
                      progress=False)
        torch.save({"weights": weights, "draws": draws, "saves": saves,
                    "history": [r["loss"] for r in first.history_],
                    "resumed_history": [r["loss"] for r in resumed.history_],
                    "state": resumed.state_dict(), "log": resumed.resampling_},
                   f"{folder}/rank{rank}.pt")
    finally:
        dist.destroy_process_group()


@pytest.fixture(scope="module", params=[
    "gloo", pytest.param("nccl", marks=pytest.mark.skipif(
        torch.cuda.device_count() < WORLD, reason=f"NCCL needs {WORLD} GPUs"))])
def ranks(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp(f"ddp-{request.param}")
    mp.start_processes(_worker, args=(str(folder), request.param), nprocs=WORLD,
                       start_method="spawn")
    return folder, [torch.load(folder / f"rank{r}.pt", weights_only=False) for r in range(WORLD)]


def test_every_rank_computes_the_single_process_weights(ranks):
    _, seen = ranks
    data = make_data()
    single = BalancedBatches(data.images, data.labels, batch_size=BATCH, adaptive=True)
    expected, _ = single.update_weights(fresh_dbvae())
    for r in range(WORLD):
        torch.testing.assert_close(seen[r]["weights"], expected, rtol=1e-6, atol=1e-12)


def test_ranks_share_each_batch_without_overlap(ranks):
    _, seen = ranks
    data = make_data()
    single = BalancedBatches(data.images, data.labels, batch_size=BATCH, adaptive=True)
    single.update_weights(fresh_dbvae())
    whole = [b["index"].tolist()
             for b in single.epoch(0, torch.Generator().manual_seed(5), fresh_dbvae())]
    assert len(seen[0]["draws"]) == len(seen[1]["draws"]) == len(whole) > 1
    for step, expected in enumerate(whole):
        parts = [seen[r]["draws"][step] for r in range(WORLD)]
        union = parts[0] + parts[1]
        assert all(len(p) == BATCH // WORLD for p in parts)
        assert len(union) == BATCH  # the intended size
        assert sorted(union) == sorted(expected)  # exactly the one-process batch
        faces = [i for i in union if data.labels[i] == 1]
        assert len(faces) == len(set(faces)) == BATCH // 2  # no face twice within a step
        # Shares are disjoint positions of one draw: rank r holds positions r, r+2, ...
        assert parts[0] == expected[: BATCH // 2][0::2] + expected[BATCH // 2 :][0::2]
        assert parts[1] == expected[: BATCH // 2][1::2] + expected[BATCH // 2 :][1::2]


def test_loss_falls_and_rank_zero_alone_writes(ranks):
    folder, seen = ranks
    history = seen[0]["history"]
    assert history == seen[1]["history"]  # logged losses are averaged over the ranks
    steps = len(history) // 3
    assert np.mean(history[-steps:]) < 0.8 * np.mean(history[:steps])
    assert seen[0]["saves"] and all(r == 0 for r in seen[0]["saves"])
    assert seen[1]["saves"] == []
    assert (folder / "model.pt").exists()


def test_resume_continues_and_ranks_end_with_the_same_weights(ranks):
    _, seen = ranks
    first, resumed = seen[0]["history"], seen[0]["resumed_history"]
    assert len(resumed) == len(first) // 3 * 5
    assert resumed[: len(first)] == first  # the first 3 epochs come from the checkpoint
    assert len(seen[0]["log"]) == 5  # one resampling record per epoch, across the resume
    for name, value in seen[0]["state"].items():
        torch.testing.assert_close(value, seen[1]["state"][name], msg=name)
    untimed = [[{k: v for k, v in e.items() if k != "seconds"} for e in seen[r]["log"]]
               for r in range(WORLD)]
    assert json.dumps(untimed[0]) == json.dumps(untimed[1])  # the same weights each epoch
