"""`siyu import`, `siyu export`, `siyu seed`: customer data in and out."""

from __future__ import annotations
