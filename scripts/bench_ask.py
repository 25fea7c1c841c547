"""Benchmark for cited answers: cold start, warm latency, index build time and peak memory.

Run with `make bench` (or `.venv/bin/python scripts/bench_ask.py`). Targets (issue 2): warm answer p95 <= 60 ms,
cold start to first answer <= 4 s, unchanged index re-run <= 2 s. These are measured here, never in tests.
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
    print(json.dumps({
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
