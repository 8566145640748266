"""Calibration (校准): inspectors score the same calls blind and are compared with each other and
with an expert's gold answers."""
