"""Speed and memory benchmarks (``make bench``); not part of the test suite.

Every benchmark process runs the library as the commands run it: numpy without transparent
huge pages (``NUMPY_MADVISE_HUGEPAGE=0``, :func:`screening.cli.common.without_huge_pages`),
unless the environment already sets it. ``screen`` and ``serve`` set it themselves; the rows
that call the library in memory (the rule engine, scoring, the pandas path) would otherwise
measure the kernel compacting memory for huge pages, which no command of ours asks for.
The child processes a benchmark starts (the reading process, the commands) inherit it.
"""

from screening.cli.common import without_huge_pages

without_huge_pages()
