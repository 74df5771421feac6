"""The figures of a run: one `Run` per process, one `StageResult` per stage and size (JSON round-trip)."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Run:
    seconds: float
    """Work time measured inside the stage process, after its imports."""
    process_s: float
    """Wall time of the whole process, start-up included."""
    maxrss_kb: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class StageResult:
    stage: str
    size: int
    runs: list[Run] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.runs)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def process_s(self) -> float:
        return statistics.median(r.process_s for r in self.runs)

    @property
    def maxrss_mb(self) -> float:
        return statistics.median(r.maxrss_kb for r in self.runs) / 1024

    @property
    def extra(self) -> dict[str, Any]:
        """The stage-specific figures of the median run (by work time)."""
        ordered = sorted(self.runs, key=lambda r: r.seconds)
        return ordered[(len(ordered) - 1) // 2].extra


def to_json(results: list[StageResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]


def from_json(data: list[dict[str, Any]]) -> list[StageResult]:
    return [StageResult(d["stage"], d["size"], [Run(**r) for r in d["runs"]], d.get("note", "")) for d in data]
