"""Labelled text for training and evaluation, with fixed splits.

The split of shared/data is by a hash of the review text, so it does not depend on file
order or on a random seed: a row is held out for testing when md5(text) % 10 == 0 and
used for validation when it is 1.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MATERIAL_DIR = HERE / "material"
SHORT_TEST = HERE / "heldout" / "short_test.tsv"
SHORT_TEST_HARD = HERE / "heldout" / "short_test_hard.tsv"
SHARED_FILES = ("online_shopping_10_cats.csv.gz", "ChnSentiCorp_htl_all.csv.gz")
HOTEL = "hotel"  # ChnSentiCorp_htl_all: the rows not already in the 酒店 category
# Domains that are the same kind of text: a fold leaving one out leaves out all of them.
DOMAIN_GROUPS = {HOTEL: "酒店"}


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: int  # 1 positive, 0 negative
    source: str
    domain: str = ""  # shared/data: the product category, or HOTEL for ChnSentiCorp


def shared_data_dir() -> Path:
    """`SIYU_SHARED_DATA`, else shared/data beside the repository."""
    env = os.environ.get("SIYU_SHARED_DATA")
    return Path(env) if env else HERE.parents[2] / "shared" / "data"


def bucket(text: str) -> int:
    return int(hashlib.md5(text.encode("utf-8")).hexdigest(), 16) % 10


def shared_examples(data_dir: Path | None = None) -> Iterator[Example]:
    root = data_dir or shared_data_dir()
    for name in SHARED_FILES:
        with gzip.open(root / name, "rt", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                text = (row.get("review") or "").strip()
                if text and row.get("label") in ("0", "1"):
                    domain = row.get("cat") or HOTEL
                    yield Example(text, int(row["label"]), f"shared:{name}", domain)


def split_shared(data_dir: Path | None = None) -> dict[str, list[Example]]:
    """train / val / test, deduplicated by text (a text lands in exactly one part)."""
    parts: dict[str, list[Example]] = {"train": [], "val": [], "test": []}
    seen: set[str] = set()
    for example in shared_examples(data_dir):
        if example.text in seen:
            continue
        seen.add(example.text)
        part = {0: "test", 1: "val"}.get(bucket(example.text), "train")
        parts[part].append(example)
    return parts


def read_tsv(path: Path) -> list[Example]:
    """`label<TAB>text[<TAB>source]` lines; '#' starts a comment line. The source
    defaults to file:line."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, text, *source = line.split("\t")
        origin = source[0] if source else f"{path.name}:{number}"
        examples.append(Example(text.strip(), int(label), origin))
    return examples


def material() -> list[Example]:
    """Our own short chat-style lines (see material/PROVENANCE.md)."""
    return [ex for path in sorted(MATERIAL_DIR.glob("*.tsv")) for ex in read_tsv(path)]


def short_test() -> list[Example]:
    """Hand-written short test lines, never used for training or tuning."""
    return read_tsv(SHORT_TEST)


def short_test_hard() -> list[Example]:
    """A second, harder hand-written short set (run-on, mixed, colloquial), never trained on."""
    return read_tsv(SHORT_TEST_HARD)
