"""Benchmark of nlp.analyze(): throughput on one core after warm-up, and cold start.

    .venv/bin/python bench/nlp.py [--messages 20000]

Single-threaded, so it uses one core. Run it on an otherwise idle machine: other load
on the two cores moves the figures a lot. Messages are realistic chat lines of 10-60
characters: the held-out short test lines and the neutral material, short lines joined
with the next ones (a third of them to 25+ characters).
Cold start is measured in a fresh interpreter: `import nlp` plus the first analyze()
(tokenizer dictionary, sentiment weights, IDF table, rules).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COLD = (
    "import time; t = time.perf_counter(); import nlp; nlp.analyze('你好，快递到哪了？'); "
    "print(time.perf_counter() - t)"
)


def messages() -> list[str]:
    from nlp.training.corpus import MATERIAL_DIR, read_tsv, short_test

    lines = [ex.text for ex in short_test() + read_tsv(MATERIAL_DIR / "neutral.tsv")]
    out: list[str] = []
    for index, line in enumerate(lines):
        text = line
        while len(text) < 10 or (index % 3 == 0 and len(text) < 25):  # a third are longer
            text = f"{text}，{lines[(index * 7 + len(text)) % len(lines)]}"
        if len(text) <= 60:
            out.append(text)
    return out


def throughput(count: int) -> tuple[float, float, float, float]:
    import nlp

    pool = messages()
    batch = [pool[i % len(pool)] for i in range(count)]
    for text in pool * 3:  # warm-up
        nlp.analyze(text)
    latencies = []
    start = time.perf_counter()
    for text in batch:
        t0 = time.perf_counter()
        nlp.analyze(text)
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    p50, p99 = (
        statistics.quantiles(latencies, n=100)[49],
        statistics.quantiles(latencies, n=100)[98],
    )
    return count / elapsed, p50 * 1e6, p99 * 1e6, statistics.mean(len(t) for t in batch)


def cold_start(runs: int = 5) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    inner, outer = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, env=env)
        outer.append(time.perf_counter() - t0)
        inner.append(float(out.stdout.strip()))
    return statistics.median(inner), statistics.median(outer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    import nlp

    backend = nlp.default_analyzer().tokenizer.backend
    rate, p50, p99, mean_len = throughput(args.messages)
    inner, outer = cold_start()
    print(f"tokenizer backend: {backend}")
    print(
        f"throughput: {rate:,.0f} messages/s on one core ({args.messages} messages, "
        f"mean {mean_len:.0f} chars); per message p50 {p50:.0f} us, p99 {p99:.0f} us"
    )
    print(
        f"cold start: {inner:.2f} s import + load + first analyze ({outer:.2f} s with interpreter)"
    )


if __name__ == "__main__":
    main()
