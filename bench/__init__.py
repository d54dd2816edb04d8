"""Benchmarks: how fast the intake is, against floors measured in the same run (issue 8).

Run `python -m bench` (or `make bench`); see bench/__main__.py for the options.
"""
