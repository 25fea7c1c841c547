"""Benchmark for cited answers: cold start, warm latency, index build time and peak memory.

Run with `make bench` (or `.venv/bin/python scripts/bench_ask.py [--skip-scale]`). Targets (issue 8): warm answer
p95 <= 40 ms, cold start to first answer <= 2 s, unchanged index re-run <= 1 s, and a search p95 <= 150 ms over
100,000 synthetic paragraphs (400 councils' worth). These are measured here, never in tests.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "Can I block a resident who keeps trolling me?",
    "I'm on the planning committee - can I share a petition about a wind farm?",
    "Is it OK to post a photo of a resident?",
    "What should I do if someone threatens me online?",
    "Can I use the council logo on my personal Facebook page?",
    "Do I have to remove abusive comments under my posts?",
    "What is malinformation?",
    "Can I post during the pre-election period?",
    "How much is the councillor allowance?",
    "Should I post when I'm angry?",
]


def run(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def bench_scale(n: int = 100_000) -> dict:
    """Search over n synthetic paragraphs: the corpus's paragraphs repeated under 400 invented councils, with
    random unit vectors standing in for their embeddings (exact dense search + sparse BM25 + fusion)."""
    import dataclasses
    import random

    import numpy as np

    from assistant.config import Settings
    from assistant.knowledge.corpus import chunk_corpus, load_corpus
    from assistant.knowledge.search import MatrixIndex, Retriever
    from assistant.wiring import build_services

    documents, texts = load_corpus(Settings().corpus_dir)
    base = chunk_corpus(documents, texts)
    rng = random.Random(0)
    councils = [f"Testshire {i} District Council" for i in range(400)]
    paragraphs = [dataclasses.replace(p, id=f"s{i}", council=councils[i % 400])
                  for i, p in enumerate(rng.choice(base) for _ in range(n))]
    vectors = np.random.default_rng(0).normal(size=(n, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    embed = build_services().knowledge.embed
    started = time.perf_counter()
    retriever = Retriever(paragraphs, MatrixIndex([p.id for p in paragraphs], vectors), embed, councils)
    load_s = time.perf_counter() - started
    times = []
    for _ in range(3):
        for q in QUESTIONS:
            start = time.perf_counter()
            retriever.search_with_features(q, k=12)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"scale_paragraphs": n, "scale_load_s": round(load_s, 1),
            "scale_query_ms_p50": round(times[len(times) // 2], 1),
            "scale_query_ms_p95": round(times[int(len(times) * 0.95) - 1], 1)}


def main() -> None:
    python = sys.executable
    env = {**os.environ}
    with tempfile.TemporaryDirectory() as tmp:
        env["ASSISTANT_INDEX_DIR"] = str(Path(tmp) / "index")
        fresh = run([python, "-m", "assistant.cli", "index", "build", "--quiet"], env)
        unchanged = [run([python, "-m", "assistant.cli", "index", "build", "--quiet"], env) for _ in range(3)]
        cold = [run([python, "-m", "assistant.cli", "ask", QUESTIONS[0], "--json"], env) for _ in range(3)]

        os.environ["ASSISTANT_INDEX_DIR"] = env["ASSISTANT_INDEX_DIR"]
        from assistant.wiring import build_services

        answerer = build_services().answerer
        answerer.answer(QUESTIONS[0])  # warm up: model and index loaded once
        times = []
        for _ in range(10):
            for q in QUESTIONS:
                start = time.perf_counter()
                answerer.answer(q)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        scale = {} if "--skip-scale" in sys.argv else bench_scale()
    print(json.dumps({
        **scale,
        "index_build_fresh_s": round(fresh, 2),
        "index_build_unchanged_s_median": round(statistics.median(unchanged), 2),
        "cold_start_to_first_answer_s_median": round(statistics.median(cold), 2),
        "warm_answer_ms_p50": round(times[len(times) // 2], 1),
        "warm_answer_ms_p95": round(times[int(len(times) * 0.95) - 1], 1),
        "warm_answers_measured": len(times),
        "peak_rss_mb_in_process": round(peak_mb, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
