"""Councillor guidance assistant: cited answers, draft-post checks and incident reports."""

import os

# Queries embed one short text at a time: multi-threaded BLAS only adds contention on small servers.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
