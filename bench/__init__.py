"""The benchmark suite: ``python -m bench`` (national scale) and ``python -m bench --quick``.

One run measures the load (against DuckDB's bare ``read_csv``), an incremental month,
every page's interactions through ``AppTest``, the query layer alone, cold start, memory,
the map payload and a pandas peer, prints one JSON line and writes ``bench/results.md``.
Each measurement that needs its own memory figure runs in a child process
(``python -m bench.<module> …``), which reports its own peak RSS (VmHWM).
"""
