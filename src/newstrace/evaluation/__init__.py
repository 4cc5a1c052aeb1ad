"""Evaluation and fitting against public corpora and newstrace's own dev sets."""
