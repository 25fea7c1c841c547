"""Evaluation harnesses for the dev sets (and the held-out sets in the same formats)."""
