"""Print how close every method comes to the exact result on adversarial inputs.

Run: ``python scripts/accuracy.py``. The table is docs/reliability.md's: each cell is the
worst error over all outputs divided by the method's promised bound, (K + 1)(eps S + eta)
with S = sum |w||x| -- at most 1 where the promise holds, which it does for every method but
Winograd (see refconv.accuracy).
"""

from refconv.accuracy import accuracy_table

if __name__ == "__main__":
    print(accuracy_table())
