"""Benchmarks (``make bench``): each ``bench_*.py`` has ``main(peers: bool = False) -> dict`` that prints its figures,
with ratios against a baseline measured in the same run, and returns them as a dict."""
