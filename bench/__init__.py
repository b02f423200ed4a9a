"""Benchmarks: generators and side-by-side measurements (see bench/run.py)."""
