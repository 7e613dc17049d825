"""Which command prints each number the pages quote in their prose (and their tables).

A code block's output is checked where it is pasted (test_code_blocks.py). A number written in
a sentence or a Markdown table has no block around it, so it is registered here: for each page,
the commands it takes numbers from, and the numbers as the page writes them. The test checks
that each number is on the page and is printed by its command.

* ``"53,952"``: written and printed alike;
* ``("0.61", "0.6102")``: the page rounds what the command prints (the test checks the rounding);
* ``TABLE``: every line the command prints that starts with ``|`` (a Markdown table) is on the
  page, in order, as printed.

Only the numbers that matter are listed: the headline counts, the ratios, the error bounds,
the benchmark bars. Add a page's numbers here when you write them (CONTRIBUTING.md, "Numbers
in the docs").
"""

from __future__ import annotations

TABLE = "the Markdown table the command prints"

Number = str | tuple[str, str]

PROSE: dict[str, dict[str, list[Number]]] = {
    "README.md": {
        "refconv count": ["1,228,800", "4,800", "49,152", "53,952", "569M"],
        "refconv count --input 12x12x3 --kernel 5 --out 256": [
            "1,228,800",
            "4,800",
            "49,152",
            "53,952",
            "0.0439",
            "1,440",
            "960",
            "51,552",
            "0.0420",
            "21,340,160",
            "17.3667",
        ],
    },
    "docs/counting.md": {
        "refconv count": [
            # the articles' figures, exact
            "1,228,800",
            "53,952",
            "10,793,196",
            "258,545,664",
            "69,568,512",
            "186,900,480",
            "357,706",
            "275,909",
            "1,440",
            # MobileNet v1
            "568,740,352",
            "4,210,088",
            "4,231,976",
            "4,253,864",
            "325,400,448",
            "149,497,088",
            "41,030,272",
            "2,569,144",
            "1,320,648",
            "464,600",
            ("0.572", "0.5721"),
            ("0.263", "0.2629"),
            ("0.61", "0.6102"),
            ("0.31", "0.3137"),
            # errata
            "13,172,736",
            "1,769,472",
            "13,376",
            "2,764,800",
            "10,988,544",
            "10,838,016",
            "533.8M",
            ("8.14", "8.14"),
            ("8.41", "8.41"),
            ("1.30", "1.3"),
            ("6.84", "6.84"),
            ("0.11849", "0.11849"),
            "260.62M",
        ],
    },
    "docs/separability.md": {
        "python scripts/separability_table.py counts": [TABLE, "900", "660", "6.6", "21"],
        "python scripts/separability_table.py layer": [TABLE],
        "python scripts/separability_table.py": [TABLE],
        'refconv separable "[[1,2],[2,4]]"': ["260,610", "260,100"],
        'python -c "from refconv import filters, separability; print(separability.analyze('
        'filters.log(15, 2.0)).singular_values[:3])"': [
            ("0.0482", "4.81829070e-02"),
            ("0.0129", "1.29103089e-02"),
            ("2.9e-18", "2.93818739e-18"),
        ],
    },
    "docs/reliability.md": {
        "python scripts/accuracy.py": [
            ("0.06", "0.0598"),  # the worst cell of every method but Winograd
            ("45", "44.6"),  # Winograd over 60 binades ...
            ("67", "66.9"),
        ],
    },
    "docs/performance.md": {
        # the bars of the cases' table: test_the_bench_bars_are_the_benchmarks
        "refconv count --input 56x56x64 --kernel 3 --out 128 --padding same": [
            ("0.119", "0.1189"),
        ],
    },
}
