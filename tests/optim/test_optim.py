"""SGD and Adam: their update rules by hand, their argument checks, and their trajectories
against torch.optim's in float64 (equal to 1e-12; skipped without PyTorch)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from refconv import nn, optim


def _layer(values):
    """A bias-free Linear(1, n) whose weight is ``values`` (float64): one parameter."""
    layer = nn.Linear(1, len(values), bias=False, seed=0, dtype=np.float64)
    layer.weight[:, 0] = values
    return layer, layer.get_parameter("weight")


def _gradient(w):
    """A gradient that depends on the point, so that the trajectories differ when the rules
    do: the gradient of sum(cos(w) + w**4 / 4)."""
    return -np.sin(w) + w**3


def test_sgd_by_hand():
    layer, p = _layer([1.0, -2.0])
    opt = optim.SGD(layer.parameters(), lr=0.5, momentum=0.5, dampening=0.5, weight_decay=0.1)
    p.grad = np.array([[2.0], [4.0]])
    opt.step()  # g = (2.1, 3.8); b = g (first step); w -= 0.5 b
    np.testing.assert_allclose(p.data[:, 0], [1 - 1.05, -2 - 1.9])
    p.grad = np.array([[2.0], [4.0]])
    w = p.data[:, 0].copy()
    opt.step()  # b = 0.5 b + 0.5 g
    g = np.array([2.0, 4.0]) + 0.1 * w
    b = 0.5 * np.array([2.1, 3.8]) + 0.5 * g
    np.testing.assert_allclose(p.data[:, 0], w - 0.5 * b)
    assert opt.momentum_buffers[p][:, 0] == pytest.approx(b)


def test_nesterov_by_hand():
    layer, p = _layer([0.0])
    opt = optim.SGD(layer.parameters(), lr=1.0, momentum=0.9, nesterov=True)
    for expected in (-1.9, -1.9 - (1 + 0.9 * 1.9)):  # g + 0.9 * b, b = 1, then 1.9
        p.grad = np.array([[1.0]])
        opt.step()
        assert p.data[0, 0] == pytest.approx(expected)


def test_adam_by_hand():
    layer, p = _layer([1.0, 1.0])
    opt = optim.Adam(layer.parameters(), lr=0.1, betas=(0.5, 0.75), eps=0.0)
    p.grad = np.array([[3.0], [-0.01]])
    opt.step()  # m = 0.5 g, v = 0.25 g^2; corrected m / sqrt(v) = g / |g|
    np.testing.assert_allclose(p.data[:, 0], [0.9, 1.1])
    p.grad = np.array([[1.0], [-0.01]])
    opt.step()
    m = 0.5 * np.array([1.5, -0.005]) + 0.5 * np.array([1.0, -0.01])
    v = 0.75 * np.array([2.25, 0.000025]) + 0.25 * np.array([1.0, 0.0001])
    update = 0.1 / (1 - 0.25) * m / (np.sqrt(v) / math.sqrt(1 - 0.75**2))
    np.testing.assert_allclose(p.data[:, 0], [0.9, 1.1] - update)
    assert opt.state[p].step == 2


def test_parameters_without_gradient_are_left_alone():
    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.Linear(2, 1, seed=1))
    before = [p.data.copy() for p in model.parameters()]
    for opt in (
        optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
        optim.Adam(model.parameters()),
    ):
        model.get_parameter("1.bias").grad = np.ones(1, dtype=np.float32)
        opt.step()
        for (name, p), old in zip(model.named_parameters(), before, strict=True):
            if name != "1.bias":
                np.testing.assert_array_equal(p.data, old)
    assert model.get_parameter("1.bias").data[0] != before[-1][0]
    assert list(opt.state) == [model.get_parameter("1.bias")]


def test_zero_grad():
    _, p = _layer([1.0])
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.ones((1, 1))
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and p.grad[0, 0] == 0
    opt.zero_grad()
    assert p.grad is None
    opt.zero_grad(set_to_none=False)  # nothing to zero
    assert p.grad is None


def test_updates_are_in_place_in_the_parameters_dtype():
    layer = nn.Linear(3, 2, seed=0)  # float32
    weight = layer.weight
    for opt in (
        optim.SGD(layer.parameters(), lr=0.1, momentum=0.9),
        optim.Adam(layer.parameters()),
    ):
        for p in layer.parameters():
            p.grad = np.ones(p.shape, dtype=np.float32)
        opt.step()
    assert layer.weight is weight and weight.dtype == np.float32


def test_argument_checks_say_what_to_pass():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"pass model.parameters\(\)"):
        optim.SGD(layer, lr=0.1)
    with pytest.raises(TypeError, match="not a dict"):
        optim.SGD(dict(layer.named_parameters()), lr=0.1)
    with pytest.raises(TypeError, match="got a ndarray"):
        optim.SGD([layer.weight], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam(nn.ReLU().parameters())
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([*layer.parameters(), *layer.parameters()], lr=0.1)
    with pytest.raises(ValueError, match="lr must be a finite number >= 0"):
        optim.SGD(layer.parameters(), lr=-1.0)
    with pytest.raises(TypeError, match="lr must be a number"):
        optim.SGD(layer.parameters(), lr="0.1")
    with pytest.raises(ValueError, match="momentum must be"):
        optim.SGD(layer.parameters(), lr=0.1, momentum=-0.5)
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0 and dampening = 0"):
        optim.SGD(layer.parameters(), lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="weight_decay"):
        optim.Adam(layer.parameters(), weight_decay=-1e-4)
    with pytest.raises(ValueError, match=r"betas\[1\] must be a number in \[0, 1\)"):
        optim.Adam(layer.parameters(), betas=(0.9, 1.0))
    with pytest.raises(TypeError, match="betas must be a pair"):
        optim.Adam(layer.parameters(), betas=0.9)
    with pytest.raises(ValueError, match="eps"):
        optim.Adam(layer.parameters(), eps=float("nan"))


def test_optimizers_print_their_settings():
    layer = nn.Linear(2, 2)
    assert repr(optim.Adam(layer.parameters())) == (
        "Adam(2 parameters, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0)"
    )


SGD_SETTINGS = [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1},
]
ADAM_SETTINGS = [
    {},
    {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.1, "betas": (0.3, 0.5)},  # beta1 < 0.5: torch's lerp takes its other branch
]


@pytest.mark.parametrize(
    ("name", "settings"),
    [("SGD", s) for s in SGD_SETTINGS] + [("Adam", s) for s in ADAM_SETTINGS],
)
def test_trajectories_equal_torch(name, settings):
    """Two parameters (a matrix and a vector), ten steps, gradients from the same function
    of the current point: every point of the path equal to torch.optim's to 1e-12."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(4, 3, seed=0, dtype=np.float64))
    ours = list(model.parameters())
    for p in ours:
        p.data[...] = rng.uniform(-2, 2, p.shape)
    theirs = [torch.tensor(p.data.copy(), requires_grad=True) for p in ours]
    opt = getattr(optim, name)(ours, **settings)
    torch_opt = getattr(torch.optim, name)(theirs, **settings)
    for _ in range(10):
        opt.zero_grad()
        torch_opt.zero_grad()
        for p, t in zip(ours, theirs, strict=True):
            p.grad = _gradient(p.data)
            t.grad = torch.tensor(_gradient(t.detach().numpy()))
        opt.step()
        torch_opt.step()
        for p, t in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-12)
