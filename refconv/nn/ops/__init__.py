"""What the layers compute, each as a readable NumPy spec beside the Numba kernel that runs it.

The layers of :mod:`refconv.nn` that are not convolutions spend their time in a few
element-wise and window passes; here each one has two functions with the same signature --
``*_reference``, the NumPy code to read first, and the fast one, a ``@kernel`` of
:mod:`refconv.kernels.runtime` (parallel over planes or channels, which never overlap) -- and
the tests in ``tests/nn/test_pool_kernels.py`` and ``tests/nn/test_norm_kernels.py`` hold the
two together.

==============  ==================================================================================
``windows``     a pooling call's geometry, and the windows of its padded input as a NumPy view
``max_pool``    max pooling: the maximum and its tap per window; the gradient back to that tap
``batch_norm``  batch normalisation in training: per-channel statistics, normalising, gradients
``relu``        the ReLU gradient: ``dL/dy`` where ``x > 0``, else 0
==============  ==================================================================================
"""
