"""Repack jieba.analyse's IDF table for a fast load: words grouped by IDF rounded to 0.1.

jieba's idf.txt takes about 0.5 s to parse line by line; grouped by value it loads with
one str.split and dict.fromkeys per group. Single characters are dropped (they are never
keywords), and so are rare words (IDF >= MAX_IDF, about two thirds of the table): they
score the median IDF, as unknown words do. What matters for picking the keywords of a
chat line is that common words are pushed down, and that survives. Run by
`siyu nlp train`; output nlp/model/idf.json.gz.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
from collections import defaultdict
from pathlib import Path

from nlp.keywords import DEFAULT_IDF
from nlp.training.train import write_gzip

MAX_IDF = 11.0


def jieba_idf_path() -> Path:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("jieba is not installed")
    return Path(spec.submodule_search_locations[0]) / "analyse" / "idf.txt"


def build(out: Path = DEFAULT_IDF) -> Path:
    values: dict[str, float] = {}
    for line in jieba_idf_path().read_text(encoding="utf-8").splitlines():
        word, _, raw = line.strip().partition(" ")
        if word and raw:
            values[word] = float(raw)
    groups: dict[str, list[str]] = defaultdict(list)
    for word, value in values.items():
        if len(word) >= 2 and " " not in word and value < MAX_IDF:
            groups[f"{value:.1f}"].append(word)
    data = {
        "median": round(statistics.median(values.values()), 4),
        "groups": {key: " ".join(sorted(words)) for key, words in sorted(groups.items())},
    }
    write_gzip(out, json.dumps(data, ensure_ascii=False, sort_keys=True))
    return out
