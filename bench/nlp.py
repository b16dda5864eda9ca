"""Benchmark of nlp.analyze(): throughput on one core after warm-up, and cold start.

    .venv/bin/python bench/nlp.py [--messages 20000] [--model weights.json.gz] [--no-cold]
    .venv/bin/python bench/nlp.py --against DIR [--chunks 60]

Single-threaded, so it uses one core. Run it on an otherwise idle machine: other load
on the two cores moves the figures a lot. Messages are realistic chat lines of 10-60
characters: the held-out short test lines and the neutral material, short lines joined
with the next ones (a third of them to 25+ characters).
Cold start is measured in a fresh interpreter: `import nlp` plus the first analyze()
(tokenizer dictionary, sentiment weights, IDF table, rules).
`--against DIR` compares this checkout with another one (DIR holding its nlp/, e.g. from
`git archive`) under the same conditions: two worker processes take turns, a fraction of
a second each, and report CPU time per message; the median of the per-turn ratios is
what a shared, noisy machine still measures well. A third worker takes the same turns
with a bare `jieba.lcut` of each message: the cost budget is 1.0x that.
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
    "import time; t = time.perf_counter(); import nlp; {setup}nlp.analyze('你好，快递到哪了？'); "
    "print(time.perf_counter() - t)"
)
PURE_JIEBA = "nlp.configure(nlp.NlpSettings(tokenizer='jieba')); "


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


def throughput(count: int) -> tuple[float, float, float, float, float]:
    """Messages per second (wall clock and CPU time), p50 and p99 in µs, mean length."""
    import nlp

    pool = messages()
    batch = [pool[i % len(pool)] for i in range(count)]
    for text in pool * 3:  # warm-up
        nlp.analyze(text)
    latencies = []
    cpu_start = time.process_time()
    start = time.perf_counter()
    for text in batch:
        t0 = time.perf_counter()
        nlp.analyze(text)
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    cuts = statistics.quantiles(latencies, n=100)
    mean_len = statistics.mean(len(t) for t in batch)
    return count / elapsed, count / cpu, cuts[49] * 1e6, cuts[98] * 1e6, mean_len


def cold_start(runs: int = 5, setup: str = "") -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    inner, outer = [], []
    code = COLD.format(setup=setup)
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        outer.append(time.perf_counter() - t0)
        inner.append(float(out.stdout.strip()))
    return statistics.median(inner), statistics.median(outer)


JIEBA = "jieba.lcut"  # the --against worker that only cuts with jieba


def worker(root: str) -> None:
    """Analyze the messages `repeat` times for each number read from stdin; print the CPU
    microseconds per message (the nlp package imported from `root`, or a bare
    `jieba.lcut` for JIEBA)."""
    if root == JIEBA:
        import jieba

        jieba.initialize()
        run, package = jieba.lcut, JIEBA
    else:
        sys.path.insert(0, root)
        import nlp

        run, package = nlp.analyze, nlp.__file__
    pool = messages()
    for text in pool * 3:  # warm-up
        run(text)
    print("ready", package, flush=True)
    for line in sys.stdin:
        repeat = int(line)
        start = time.process_time()
        for _ in range(repeat):
            for text in pool:
                run(text)
        print((time.process_time() - start) / (repeat * len(pool)) * 1e6, flush=True)


def against(other: str, chunks: int) -> None:
    roots = {"this": str(ROOT), "other": str(Path(other).resolve()), "jieba": JIEBA}
    workers = {
        name: subprocess.Popen(
            [sys.executable, __file__, "--worker", root],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, root in roots.items()
    }
    for name, w in workers.items():
        assert w.stdout
        ready, package = w.stdout.readline().split()
        assert ready == "ready" and package.startswith(roots[name]), (name, package)
    times: dict[str, list[float]] = {name: [] for name in workers}
    for turn in range(chunks):
        order = list(workers)[turn % 3 :] + list(workers)[: turn % 3]
        for name in order:
            w = workers[name]
            assert w.stdin and w.stdout
            w.stdin.write("5\n")
            w.stdin.flush()
            times[name].append(float(w.stdout.readline()))
    for w in workers.values():
        assert w.stdin
        w.stdin.close()
        w.wait()
    for name, root in roots.items():
        median = statistics.median(times[name])
        print(f"{name:5} {root}: median {median:.1f} CPU us/msg ({1e6 / median:,.0f}/CPU s)")
    for top, bottom in (("other", "this"), ("this", "jieba"), ("other", "jieba")):
        ratios = [t / b for t, b in zip(times[top], times[bottom], strict=True)]
        cuts = statistics.quantiles(ratios, n=4)
        print(
            f"{top} / {bottom}, per turn: median {statistics.median(ratios):.3f} "
            f"(quartiles {cuts[0]:.3f}-{cuts[2]:.3f}, {chunks} turns each)"
        )


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--pure-jieba", action="store_true", help="force the jieba fallback")
    parser.add_argument("--model", help="sentiment weights to use instead of the shipped ones")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-start runs")
    parser.add_argument("--against", metavar="DIR", help="compare with another checkout")
    parser.add_argument("--chunks", type=int, default=60, help="turns each, with --against")
    args = parser.parse_args()
    if args.against:
        against(args.against, args.chunks)
        return
    import nlp
    from nlp.config import SentimentSettings

    if args.pure_jieba or args.model:
        nlp.configure(
            nlp.NlpSettings(
                tokenizer="jieba" if args.pure_jieba else "auto",
                sentiment=SentimentSettings(model_path=args.model),
            )
        )
    backend = nlp.default_analyzer().tokenizer.backend
    load = os.getloadavg()[0]
    rate, cpu_rate, p50, p99, mean_len = throughput(args.messages)
    print(f"tokenizer backend: {backend}; load average before the run: {load:.2f}")
    if args.model:
        print(f"sentiment weights: {args.model}")
    print(
        f"throughput on one core: {rate:,.0f} messages/s wall clock, {cpu_rate:,.0f} per "
        f"CPU second ({args.messages} messages, mean {mean_len:.0f} chars)"
    )
    print(f"per message: p50 {p50:.0f} us, p99 {p99:.0f} us")
    if args.no_cold:
        return
    inner, outer = cold_start(setup=PURE_JIEBA if args.pure_jieba else "")
    print(
        f"cold start: {inner:.2f} s import + load + first analyze ({outer:.2f} s with interpreter)"
    )


if __name__ == "__main__":
    main()
