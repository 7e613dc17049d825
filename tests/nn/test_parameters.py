"""Parameters, modes and the bookkeeping of backward: what a training loop relies on.

The gradients' values are checked in test_gradients.py (finite differences) and
test_torch_layers.py (PyTorch autograd); here: that ``.data`` is the layer's own array, that
``.grad`` accumulates and is cleared as in PyTorch, that train()/eval() reach every layer and
start where refconv says (inference), and that misuse gets a clear error.
"""

import numpy as np
import pytest

from refconv import models, nn
from refconv.counting import summary


def _net():
    return nn.Sequential(
        {
            "features": nn.Sequential(
                nn.Conv2d(2, 3, 3, bias=False, seed=0, dtype=np.float64),
                nn.BatchNorm2d(3, dtype=np.float64),
                nn.ReLU(),
            ),
            "head": nn.Sequential(nn.Flatten(), nn.Linear(3 * 2 * 2, 2, seed=1, dtype=np.float64)),
        }
    )


def test_parameters_are_handles_on_the_layers_own_arrays():
    net = _net()
    named = dict(net.named_parameters())
    assert list(named) == [
        "features.0.weight",
        "features.1.weight",
        "features.1.bias",
        "head.1.weight",
        "head.1.bias",
    ]
    assert [p for p in net.parameters()] == list(named.values())
    conv = net["features"][0]
    p = named["features.0.weight"]
    assert p.data is conv.weight and p.grad is None
    assert p.shape == (3, 2, 3, 3) and p.numel() == 54 and p.dtype == np.float64
    p.data -= 1.0  # an update in place is the layer's
    np.testing.assert_array_equal(conv.weight, p.data)
    conv.weight = np.zeros((3, 2, 3, 3))  # replacing the array: the handle follows
    assert p.data is conv.weight
    assert net.get_parameter("features.0.weight") is p  # the same handle every time
    assert conv.get_parameter("weight") is p
    assert "Conv2d.weight" in repr(p) and "grad=None" in repr(p)


def test_bias_free_and_non_affine_layers_list_no_such_parameter():
    assert [n for n, _ in nn.Conv2d(1, 1, 1, bias=False).named_parameters()] == ["weight"]
    bn = nn.BatchNorm2d(2, affine=False)
    assert list(bn.parameters()) == []
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var"]
    assert len(list(bn.buffers())) == 2
    bn.train()(np.random.default_rng(0).standard_normal((2, 2, 2, 2)))
    bn.backward(np.ones((2, 2, 2, 2)))  # no parameter to add a gradient to


def test_data_setter_refuses_a_different_shape():
    p = nn.Linear(2, 3).get_parameter("weight")
    with pytest.raises(ValueError, match=r"shape \(3, 2\)"):
        p.data = np.zeros((2, 3))
    with pytest.raises(AttributeError, match="has no parameter 'weights'"):
        nn.Linear(2, 3).get_parameter("weights")


def test_gradients_accumulate_until_zero_grad():
    fc = nn.Linear(3, 2, seed=0, dtype=np.float64)
    x = np.arange(6.0).reshape(2, 3)
    g = np.ones((2, 2))
    for _ in range(2):
        fc(x)
        fc.backward(g)
    w = fc.get_parameter("weight")
    np.testing.assert_array_equal(w.grad, 2 * g.T @ x)  # two backward passes added
    grad_array = w.grad
    fc.zero_grad(set_to_none=False)  # zeros, in the same array
    assert w.grad is grad_array and not w.grad.any()
    fc(x)
    fc.backward(g)
    np.testing.assert_array_equal(w.grad, g.T @ x)
    fc.zero_grad()  # PyTorch's default: None
    assert w.grad is None and fc.get_parameter("bias").grad is None


def test_gradients_take_the_parameters_dtype():
    conv = nn.Conv2d(1, 1, 2, seed=0)  # float32 weights
    conv(np.ones((1, 3, 3)))  # a float64 input: the output is float64
    conv.backward(np.ones((1, 2, 2)))
    assert conv.get_parameter("weight").grad.dtype == np.float32


def test_layers_start_in_inference_mode_and_switch_recursively():
    net = _net()
    leaves = [layer for _, layer in net.named_leaves()]
    assert not net.training and not any(layer.training for layer in leaves)
    assert net.train() is net
    assert net.training and all(layer.training for layer in leaves)
    assert net["features"].training
    assert net.eval() is net
    assert not any(layer.training for layer in leaves)
    net.train(False)
    assert not net.training
    with pytest.raises(TypeError, match="True or False"):
        net.train("yes")


def test_inference_numbers_do_not_move():
    """The models are built in inference mode: forward uses BatchNorm's running statistics
    and no dropout, and the counts do not depend on the mode."""
    model = models.standard_cnn(seed=0)
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
    before = model(x)
    np.testing.assert_array_equal(model(x), before)  # no randomness at inference
    counts = summary(model, (3, 32, 32), params="keras")
    model.train()
    model(x)  # moves the running statistics
    assert summary(model, (3, 32, 32), params="keras").rows == counts.rows
    assert counts.total_params == 357_706


def test_backward_without_forward_is_a_clear_error():
    layers = [
        nn.Conv2d(1, 1, 1),
        nn.SeparableConv2d(1, 1, 1),
        nn.SpatialSeparableConv2d(1, 1, 1),
        nn.BatchNorm2d(1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.AvgPool2d(2),
        nn.GlobalAvgPool2d(),
        nn.Flatten(),
        nn.Dropout(),
        nn.Linear(1, 1),
    ]
    for layer in layers:
        with pytest.raises(RuntimeError, match="needs a forward pass first"):
            layer.backward(np.ones((1, 1, 1)))
    with pytest.raises(RuntimeError, match="needs a forward pass first"):
        nn.Sequential(nn.ReLU()).backward(np.ones(3))


def test_backward_releases_what_forward_kept():
    relu = nn.ReLU()
    relu(np.ones(3))
    relu.backward(np.ones(3))
    with pytest.raises(RuntimeError, match="run forward again"):
        relu.backward(np.ones(3))


@pytest.mark.parametrize(
    ("layer", "x"),
    [
        (nn.ReLU(), np.ones((2, 3))),
        (nn.Flatten(), np.ones((2, 3, 2, 2))),
        (nn.Linear(3, 2), np.ones((4, 3))),
        (nn.MaxPool2d(2), np.ones((1, 4, 4))),
        (nn.BatchNorm2d(1), np.ones((1, 4, 4))),
        (nn.Conv2d(1, 2, 3), np.ones((1, 4, 4))),
        (nn.SeparableConv2d(1, 2, 3), np.ones((1, 4, 4))),
    ],
)
def test_grad_output_of_the_wrong_shape_names_both_shapes(layer, x):
    y = layer(x)
    with pytest.raises(ValueError, match=r"shape of the forward output"):
        layer.backward(np.ones((*y.shape, 1)))


def test_sequential_backward_names_the_failing_layer():
    net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    net(np.ones((3, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"layer '1' \(Linear.*grad_output of shape \(3, 5\)"):
        net.backward(np.ones((3, 5)))


def test_to_converts_parameters_buffers_and_gradients():
    net = _net().to(np.float32)
    assert {p.dtype for p in net.parameters()} == {np.dtype(np.float32)}
    assert {b.dtype for b in net.buffers()} == {np.dtype(np.float32)}
    net(np.ones((1, 2, 4, 4), dtype=np.float32))
    net.backward(np.ones((1, 2), dtype=np.float32))
    net.to(np.float64)
    assert {p.grad.dtype for p in net.parameters()} == {np.dtype(np.float64)}
    with pytest.raises(TypeError, match=r"float32 or np\.float64"):
        net.to(np.int32)


def test_dropout_training_is_inverted_dropout_and_seeded():
    x = np.ones((200, 50))
    drop = nn.Dropout(0.2, seed=3).train()
    y = drop(x)
    assert set(np.unique(y)) == {0.0, 1.25}  # dropped, or scaled by 1 / (1 - p)
    assert abs((y == 0).mean() - 0.2) < 0.01  # 10,000 draws: sd 0.004
    np.testing.assert_array_equal(drop.backward(np.full_like(x, 2.0)), 2 * y)
    again = nn.Dropout(0.2, seed=3).train()
    np.testing.assert_array_equal(again(x), y)  # the same seed, the same masks
    assert not np.array_equal(drop(x), y)  # the next call draws a new mask
    assert not nn.Dropout(1.0, seed=0).train()(x).any()  # p = 1 drops everything
    np.testing.assert_array_equal(nn.Dropout(0.0).train()(x), x)
    drop.eval()
    assert drop(x) is x  # inference: the identity, as before
    np.testing.assert_array_equal(drop.backward(x), x)


def test_models_draw_dropout_masks_from_their_seed():
    x = np.random.default_rng(0).standard_normal((4, 3, 32, 32)).astype(np.float32)
    a = models.standard_cnn(seed=7).train()
    b = models.standard_cnn(seed=7).train()
    np.testing.assert_array_equal(a(x), b(x))


def test_batchnorm_training_needs_two_values_per_channel():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm2d(3).train()(np.ones((1, 3, 1, 1)))
    nn.BatchNorm2d(3)(np.ones((1, 3, 1, 1)))  # fine at inference
    with pytest.raises(ValueError, match="momentum must be a number in"):
        nn.BatchNorm2d(3, momentum=1.5)
    with pytest.raises(TypeError, match="momentum=None"):
        nn.BatchNorm2d(3, momentum=None)
