"""Entry point of `siyu nlp train` (and `python -m nlp.training.cli`)."""

from __future__ import annotations

import sys
from pathlib import Path

from nlp.sentiment import DEFAULT_MODEL
from nlp.training import baselines as baseline_models
from nlp.training import idf
from nlp.training.train import report, run


def main(out: Path | None = None, baselines: bool = False) -> None:
    target = out or DEFAULT_MODEL
    print(f"wrote {idf.build()}")
    print(report(run(target), target))
    if baselines:
        for name, results in baseline_models.run().items():
            print(name)
            print("\n".join(f"  {part:18s} {result}" for part, result in results.items()))


if __name__ == "__main__":
    paths = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    main(Path(paths[0]) if paths else None, "--baselines" in sys.argv)
