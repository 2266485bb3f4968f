"""Helpers shared by the tests and the benchmarks (plain modules; conftest files only
declare fixtures over them)."""
