"""Benchmarks of mfviz against its peers; `python -m benchmarks [NAME ...]` runs them."""
