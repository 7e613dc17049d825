"""A tiny training run: the articles' CIFAR-10 networks learn a small batch, repeatably.

Eight random 32x32 images with random labels, float32 as a training run would use, five
steps in training mode (BatchNorm on batch statistics, Dropout drawing masks from the
model's seed). A network that learns fits them: the loss falls well below log(10) = 2.30,
the loss of a uniform guess. Everything is seeded, so a second run repeats the first to the
last bit.
"""

import numpy as np
import pytest

from refconv import models, nn, optim

STEPS = 5


def _run(build, make_optimizer):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3, 32, 32)).astype(np.float32)
    targets = rng.integers(0, 10, 8)
    model = build(seed=0).train()
    criterion = nn.CrossEntropyLoss()
    optimizer = make_optimizer(model.parameters())
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        losses.append(criterion(model(x), targets))
        model.backward(criterion.backward())
        optimizer.step()
    return losses, model


@pytest.mark.slow
@pytest.mark.parametrize("build", [models.standard_cnn, models.separable_cnn])
@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda params: optim.SGD(params, lr=0.01, momentum=0.9),
        lambda params: optim.Adam(params, lr=5e-4),
    ],
    ids=["sgd", "adam"],
)
def test_a_few_steps_decrease_the_loss(build, make_optimizer):
    losses, model = _run(build, make_optimizer)
    assert losses[0] == pytest.approx(np.log(10), abs=0.1)  # an untrained net: about uniform
    assert losses[-1] < 0.6 * losses[0], losses
    assert all(np.isfinite(p.data).all() for p in model.parameters())
    assert all(p.dtype == np.float32 for p in model.parameters())


@pytest.mark.slow
def test_training_repeats_exactly():
    def sgd(params):
        return optim.SGD(params, lr=0.01, momentum=0.9)

    first, model = _run(models.separable_cnn, sgd)
    second, again = _run(models.separable_cnn, sgd)
    assert first == second
    for (name, p), q in zip(model.named_parameters(), again.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    for a, b in zip(model.buffers(), again.buffers(), strict=True):
        np.testing.assert_array_equal(a, b)
