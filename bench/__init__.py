"""Benchmarks: gas from receipts, throughput as ratios against a baseline in the same run."""
