"""Benchmarks: measurements run by hand (``python -m bench.<name>``), never imported by the program."""
