"""Rules: the feature vocabulary (``features``), prepared columns (``columns``), the safe rule
language (``expr_syntax``, ``expr``), evidence sentences (``evidence``), the compiled
catalogue (``catalogue``) and the engine (``engine``: ICLS test, fired matrix, tiers)."""
