"""Latency of the running Slack app under concurrent load: ack and answer, p50/p95, and errors.

Starts a local fake Slack (tests/slack/fake_slack.py) and the real app (`assistant slack --port`: gunicorn with
its gthread workers) on the built index, then fires rounds of CONCURRENCY signed requests at once:

- /ask: ack = until the HTTP response; answer = until the answer reaches the response_url;
- @mentions: ack = until the HTTP response; answer = until chat.postMessage in the thread;
- /checkpost: ack, and until the check result reaches the response_url.

An error is a non-200 ack, a reply that is an error message, or no reply within two minutes.

Usage: python scripts/bench_slack.py [--concurrency 20] [--rounds 5] [--workers N] [--index-dir DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "slack"))

from fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackSender  # noqa: E402

QUESTIONS = [
    "Can I use the council logo on my personal social media account?",
    "Can I block a resident who trolls me?",
    "Should I avoid posting when I'm angry?",
    "Can I share a resident's telephone number on my Facebook page?",
    "Is it OK to use sarcasm in posts?",
    "What should I do if someone threatens me online?",
    "Can I post about a planning application before the committee decides?",
    "Can I retweet my party's campaign material during the election period?",
    "Should I have separate personal and councillor accounts?",
    "Can I post photos of residents at a ward event?",
]
DRAFTS = [
    "Great turnout at the ward surgery tonight, thanks everyone!",
    "Resident John Smith of 14 Elm Road, phone 07700 900123, is a liar. Vote for me on Thursday!",
    "The planning application for the Old Mill is a disgrace and I will vote against it whatever anyone says.",
    "Officer Jane Brown in housing is useless and should be sacked.",
]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values, in milliseconds."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank] * 1000


def start_app(fake: FakeSlack, data_dir: Path, port: int, *, workers: int | None = None,
              index_dir: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake.url, "ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_LLM_PROVIDER": "none"}
    if index_dir is not None:
        env["ASSISTANT_INDEX_DIR"] = str(index_dir)
    extra = ["--workers", str(workers)] if workers else []
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "slack", "--host", "127.0.0.1",
                                "--port", str(port), *extra], env=env, cwd=str(ROOT), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the Slack app exited; run `assistant index build` first, then try again")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the Slack app did not start within 300 s")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def arrived(call) -> float:
    """When the reply reached fake Slack, after checking that it is a real reply, not an error message."""
    first = (call.params.get("blocks") or [{}])[0]
    assert not (first.get("type") == "section" and first["text"]["text"].startswith(":warning:")), call.text[:300]
    return call.at


def burst(concurrency: int, fire) -> list[tuple[float, float] | None]:
    """Run ``fire(i, barrier)`` in ``concurrency`` threads released together; returns their (ack, answer) times,
    None for a request that failed."""
    barrier = threading.Barrier(concurrency)

    def one(i: int) -> tuple[float, float] | None:
        try:
            return fire(i, barrier)
        except (AssertionError, OSError) as exc:
            print(f"error: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
            return None

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(concurrency)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the app's own)")
    parser.add_argument("--index-dir", type=Path, default=None, help="a built index (default: the app's own)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    args = parser.parse_args()

    fake = FakeSlack().start()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        process = start_app(fake, Path(tmp), port, workers=args.workers, index_dir=args.index_dir)
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", fake)
        counter = iter(range(1, 10**9))
        try:
            def ask(i: int, barrier) -> tuple[float, float]:
                barrier.wait()
                sent = time.monotonic()
                key, status, _ = sender.command("/ask", QUESTIONS[i % len(QUESTIONS)])
                acked = time.monotonic()
                assert status == 200, status
                answered = arrived(fake.wait_for("response", lambda c: c.key == key, timeout=120)[0])
                return acked - sent, answered - sent

            def mention(i: int, barrier) -> tuple[float, float]:
                ts = f"1800000000.{next(counter):06d}"
                event = {"type": "app_mention", "user": f"U{i}", "channel": "CBENCH", "ts": ts,
                         "text": f"<@UBOT> {QUESTIONS[i % len(QUESTIONS)]}"}
                barrier.wait()
                sent = time.monotonic()
                status, _ = sender.event(event)
                acked = time.monotonic()
                assert status == 200, status
                answered = arrived(fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts,
                                                 timeout=120)[0])
                return acked - sent, answered - sent

            def checkpost(i: int, barrier) -> tuple[float, float]:
                barrier.wait()
                sent = time.monotonic()
                key, status, _ = sender.command("/checkpost", DRAFTS[i % len(DRAFTS)])
                acked = time.monotonic()
                assert status == 200, status
                answered = arrived(fake.wait_for("response", lambda c: c.key == key, timeout=120)[0])
                return acked - sent, answered - sent

            burst(2, ask)  # one warm-up round: first-request costs are not what we measure
            results = {}
            for name, fire in (("/ask", ask), ("@mention", mention), ("/checkpost", checkpost)):
                tried = [s for _ in range(args.rounds) for s in burst(args.concurrency, fire)]
                samples = [s for s in tried if s is not None] or [(float("nan"), float("nan"))]
                acks, answers = [a for a, _ in samples], [b for _, b in samples]
                results[name] = {
                    "requests": len(tried), "errors": tried.count(None), "concurrency": args.concurrency,
                    "ack_p50_ms": round(percentile(acks, 50), 1), "ack_p95_ms": round(percentile(acks, 95), 1),
                    "ack_max_ms": round(max(acks) * 1000, 1),
                    "answer_p50_ms": round(percentile(answers, 50), 1),
                    "answer_p95_ms": round(percentile(answers, 95), 1),
                    "answer_mean_ms": round(statistics.mean(answers) * 1000, 1),
                }
        finally:
            process.terminate()
            process.wait(timeout=30)
            fake.stop()

    if args.json:
        print(json.dumps({"cpus": os.cpu_count(), "results": results}, indent=2))
        return
    print(f"Slack app latency: {args.rounds} rounds of {args.concurrency} concurrent signed requests "
          f"({os.cpu_count()} CPUs)")
    print(f"{'request':<12}{'n':>5}{'errors':>8}{'ack p50':>10}{'ack p95':>10}{'ack max':>10}{'answer p50':>13}"
          f"{'answer p95':>13}")
    for name, r in results.items():
        print(f"{name:<12}{r['requests']:>5}{r['errors']:>8}{r['ack_p50_ms']:>8.0f}ms{r['ack_p95_ms']:>8.0f}ms"
              f"{r['ack_max_ms']:>8.0f}ms{r['answer_p50_ms']:>11.0f}ms{r['answer_p95_ms']:>11.0f}ms")


if __name__ == "__main__":
    main()
