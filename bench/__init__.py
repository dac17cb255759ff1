"""Benchmarks: what users pay for, each figure next to a baseline measured in the same run."""
