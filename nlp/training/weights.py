"""Sample weights for the shared/data rows: how much each domain and class counts.

shared/data is lopsided: five categories hold about 8,000 train rows each and short
texts, while 书籍, 手机, 热水器 and the hotel remainder hold 450-3,000, longer ones and
other class shares (热水器 17 % negative, hotel 34 %). `domain_balance` p weighs a row
of a domain with n rows by (mean n / n) ** p (0: as read, 1: every domain counts as
much); `class_balance` q weighs each class inside its domain by (n / 2 / class n) ** q.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from nlp.training.corpus import Example


def shared_weights(
    examples: Sequence[Example], domain_balance: float, class_balance: float
) -> list[float]:
    """One weight per example (1.0 each when both settings are 0)."""
    sizes = Counter(ex.domain for ex in examples)
    classes = Counter((ex.domain, ex.label) for ex in examples)
    mean = len(examples) / len(sizes) if sizes else 0.0
    return [
        (mean / sizes[ex.domain]) ** domain_balance
        * (sizes[ex.domain] / 2 / classes[ex.domain, ex.label]) ** class_balance
        for ex in examples
    ]
