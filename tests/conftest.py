"""Paths and shared fixtures for the reader tests.

The test corpus lives next to the project, in `../shared/corpus` (CI has the same layout). Nothing is skipped
when it is missing: the fixtures stop with an explicit failure instead, because a silently empty corpus would
let every parametrized test pass vacuously.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
ML_CARDS = CORPUS / "model-library" / "cards"
ML_CSV = CORPUS / "model-library" / "data.csv"
SEED = CORPUS / "seed" / "Code Llama (mis-encoded).md"

TEST_DATA = Path(__file__).resolve().parent / "data"
BAD = TEST_DATA / "bad"
IRREGULAR = TEST_DATA / "irregular"

# The 36 Model Library cards, by title (= file name without ".md"), as listed in the corpus README. Hard-coded
# on purpose: parametrizing over a glob would turn a missing corpus into zero tests instead of failures.
CARD_NAMES = (
    "AudioLM",
    "BLOOM",
    "BlenderBot 3",
    "CICERO",
    "CLIP",
    "ChatGPT",
    "Claude 3",
    "Code Llama",
    "Codex",
    "DALL-E 2",
    "DALL-E 3",
    "DALL-E",
    "ESM-2",
    "GLIDE",
    "GPT-2",
    "GPT-3",
    "GPT-4",
    "GPT-J",
    "GPT-NeoX",
    "Galactica",
    "Github Copilot",
    "Imagen",
    "InstructGPT",
    "LLaMA 2",
    "LLaMA",
    "LaMDA",
    "Midjourney",
    "Muse",
    "OPT-175B",
    "PaLM 2",
    "PaLM",
    "Parti",
    "Polyglot-Ko",
    "Pythia",
    "WebGPT",
    "Whisper",
)

# The twelve `- Label: value` bullets of `## Model Details`, in the order 35 of the 36 cards use.
DETAIL_LABELS = (
    "Name",
    "Model Size",
    "Dataset",
    "Input/Output Format",
    "Research Field",
    "Contains an Impact Assessment",
    "Associated Risks",
    "Date of Publication",
    "Organization",
    "Country/Origin",
    "License",
    "Publication",
)


def require(path: Path) -> Path:
    """Fail (never skip) when a corpus path is missing."""
    if not path.exists():
        message = f"test corpus missing: {path} (expected ../shared/corpus next to the project)"
        pytest.fail(message, pytrace=False)
    return path


def card_path(name: str) -> Path:
    return ML_CARDS / f"{name}.md"


def file_lines(path: Path) -> list[str]:
    """The file's lines (1-based index i is lines[i - 1]), decoded independently of the reader."""
    return require(path).read_bytes().decode("utf-8-sig").replace("\r\n", "\n").split("\n")


def line_of(path: Path, prefix: str) -> int:
    """1-based number of the only line starting with `prefix`."""
    hits = [i for i, line in enumerate(file_lines(path), start=1) if line.startswith(prefix)]
    assert len(hits) == 1, f"{path.name}: expected one line starting with {prefix!r}, found {hits}"
    return hits[0]


def detail_value(path: Path, label: str) -> str:
    """Raw text after the first ': ' of the `- Label: ` bullet."""
    return file_lines(path)[line_of(path, f"- {label}: ") - 1].split(": ", 1)[1]


def paragraphs(path: Path, heading: str) -> list[tuple[int, str]]:
    """(first line, text) of each paragraph under `heading`, up to the next heading.

    Paragraphs are separated by lines that are empty or hold only whitespace; lines are right-stripped and
    joined by one space.
    """
    lines = file_lines(path)
    start = lines.index(heading) + 1
    out: list[tuple[int, str]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(lines[start:], start=start + 1):
        if line.startswith("#"):
            break
        if line.strip():
            if not current:
                first = number
            current.append(line.rstrip())
        elif current:
            out.append((first, " ".join(current)))
            current = []
    if current:
        out.append((first, " ".join(current)))
    return out


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def corpus_records():
    """All 36 cards read in one `kg.parse` call on the cards folder, keyed by title."""
    import kg

    require(ML_CARDS)
    records = kg.parse([ML_CARDS])
    return {Path(record.path).stem: record for record in records}


@pytest.fixture(scope="session")
def seed_record():
    from kg.readers import read_card

    return read_card(require(SEED))
