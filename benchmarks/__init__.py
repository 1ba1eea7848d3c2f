"""Benchmarks of cmo against the floor of reading the same files: `make bench`."""
