"""Process counters, served at /metrics in Prometheus' text format."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Metrics:
    received: int = 0
    duplicates: int = 0
    replies: int = 0
    late_replies: int = 0
    rejected: int = 0
    failed: int = 0

    def render(self, extra: dict[str, int] | None = None) -> str:
        values = {f.name: getattr(self, f.name) for f in fields(self)} | (extra or {})
        lines = []
        for name, value in values.items():
            lines.append(f"# TYPE siyu_{name}_total counter")
            lines.append(f"siyu_{name}_total {value}")
        return "\n".join(lines) + "\n"
