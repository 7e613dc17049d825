"""Worked examples and tables: the numbers the docs quote, computed where a reader can follow.

Each module here takes one idea of the docs, says it in a paragraph, works it on arrays small
enough to check by hand, and then gives the code that computes the page. The functions return
data (arrays, rows, checks) that the tests read; a formatter beside them prints the text the
docs quote, and a script in ``scripts/`` prints it.

=======================  ==================================================================
module                   idea (and the script that prints it)
=======================  ==================================================================
``correlation``          cross-correlation vs convolution: is ``w`` flipped or not
                         (``scripts/correlation_vs_convolution.py``)
``families``             every convolution family, its shapes and identities
                         (``scripts/families.py``)
``padding_conventions``  the padding of PyTorch, TensorFlow, ONNX and scipy, side by side
                         (``scripts/padding_conventions.py``)
``separability_tables``  the filter zoo's ranks, two-pass counts, a factored conv layer
                         (``scripts/separability_table.py``)
``keras_layout``         Keras kernels as refconv weights; Keras' formulas in NumPy
``page``                 the printed lines as data: text, named arrays, checks
``peers``                PyTorch as an optional peer to check against
=======================  ==================================================================

Nothing here is imported by ``import refconv``; import the module you want:

>>> from refconv.explain import correlation
>>> correlation.worked_sum(correlation.example().x, correlation.example().w, 0, 0)
'1*1 + 2*2 + 4*3 + 5*4 = 37'
"""
