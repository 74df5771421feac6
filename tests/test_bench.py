"""The benchmark harness runs end to end and writes a well-formed report (no timing is asserted).

`python -m bench --quick` is run in a fresh process, as a user would, into a temporary folder so the
committed bench/RESULTS.md is never touched. The generator's determinism is checked too: the harness's
figures are only comparable across runs if the same seed gives the same cards.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import kg
from bench.generate import generate, touch_card

ROOT = Path(__file__).resolve().parents[1]
QUICK_SIZES = (50, 200)
STAGE_COLUMNS = ["stage", "work s", "process s", "peak RSS MB", "ms/card", "× floor", "runs", "note"]


def _cells(line: str) -> list[str]:
    """The cells of a pipe-table row (an escaped `\\|` stays inside its cell)."""
    assert line.startswith("|") and line.endswith("|"), line
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line[1:-1])]


def markdown_tables(text: str) -> dict[str, list[list[str]]]:
    """Each `### heading` → the rows (header first) of the first pipe table under it; separator rows checked."""
    tables: dict[str, list[list[str]]] = {}
    heading = None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("### "):
            heading = line[4:].strip()
        elif heading and line.startswith("|") and heading not in tables:
            block = []
            for row in lines[i:]:
                if not row.startswith("|"):
                    break
                block.append(row)
            header, separator, *rows = block
            width = len(_cells(header))
            assert all(set(c) <= set("-:") and c for c in _cells(separator)), separator
            assert len(_cells(separator)) == width
            for row in rows:
                assert len(_cells(row)) == width, f"{heading}: {row}"
            tables[heading] = [_cells(header), *(_cells(r) for r in rows)]
    return tables


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench-out")
    work = tmp_path_factory.mktemp("bench-work")
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out), "--work", str(work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_quick_mode_writes_a_well_formed_table(quick_run: Path) -> None:
    text = (quick_run / "RESULTS.md").read_text(encoding="utf-8")
    tables = markdown_tables(text)
    for size in QUICK_SIZES:
        rows = tables[f"N = {size:,}"]
        assert rows[0] == STAGE_COLUMNS
        by_stage = {row[0].split(":")[0]: row for row in rows[1:]}
        for stage in ("read", "build", "build-docs", "full", "incremental", "rdflib-nt", "pyoxigraph-store"):
            row = by_stage[stage]
            assert float(row[1].replace(",", "")) > 0, row  # work seconds is a number
            assert float(row[3].replace(",", "")) > 0, row  # peak RSS is a number
        assert by_stage["read"][5] == "1.0"
        assert "identical to a clean build" in by_stage["incremental"][7]
    assert "## Targets (issue 8)" in text
    assert "## Machine" in text


def test_quick_mode_writes_json_and_svg(quick_run: Path) -> None:
    data = json.loads((quick_run / "results.json").read_text(encoding="utf-8"))
    assert data["sizes"] == list(QUICK_SIZES)
    assert {r["stage"] for r in data["results"]} >= {"read", "build", "full", "incremental"}
    svg = ET.parse(quick_run / "time-vs-n.svg").getroot()
    assert svg.tag.endswith("svg")
    assert svg.findall(".//{http://www.w3.org/2000/svg}polyline")


def test_generator_is_deterministic_and_readable(tmp_path: Path) -> None:
    first = generate(40, tmp_path / "a", seed=7)
    second = generate(40, tmp_path / "b", seed=7)
    other = generate(40, tmp_path / "c", seed=8)
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in other]
    assert len({p.name.casefold() for p in first}) == 40
    records = kg.parse([tmp_path / "a"])
    assert len(records) == 40
    errors = [str(f) for r in records for f in r.findings if f.severity is kg.records.Severity.ERROR]
    assert errors == []
    assert all(1 <= len(r.risks) <= 7 for r in records)
    assert all(len(r.description) == 3 for r in records)


def test_touch_card_changes_one_card(tmp_path: Path) -> None:
    (card,) = generate(1, tmp_path, seed=1)
    before = card.read_bytes()
    touch_card(card, 1)
    once = card.read_bytes()
    touch_card(card, 2)
    assert before != once != card.read_bytes()
    (record,) = kg.parse([card])
    assert record.description[-1].value.endswith("Revised 2 times.")
