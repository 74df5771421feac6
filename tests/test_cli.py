"""The `kg` command as a user runs it: a real subprocess, exit codes, messages, nothing lost on failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ML_CARDS

ROOT = Path(__file__).resolve().parents[1]


def kg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _card(path: Path, *, size: str = "7B", title: str = "Tiny") -> Path:
    path.write_text(
        f"# {title}\n\n## Model Details\n\n- Name: [{title}](https://example.org/tiny) 📚\n- Model Size: {size}\n"
        "- Dataset: Not specified\n- Input/Output Format: Text\n- Research Field: Natural Language Processing\n"
        "- Contains an Impact Assessment: No\n- Associated Risks: Disinformation\n"
        "- Date of Publication: 1/31/2024\n- Organization: [Example Lab](https://example.org/) (Non-profit)\n"
        "- Country/Origin: France\n- License: MIT License\n"
        "- Publication: [A tiny paper](https://example.org/paper)\n\n## Description\n\nA tiny model.\n\n"
        "## Organization\n\nA small lab.\n",
        encoding="utf-8",
    )
    return path


def test_build_bundled_cards(tmp_path):
    result = kg("build", "cards", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "cards read, 0 errors" in result.stderr
    assert (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8").startswith("@prefix")


def test_failed_build_leaves_previous_outputs_untouched(tmp_path):
    cards = tmp_path / "cards"
    cards.mkdir()
    good = _card(cards / "Tiny.md")
    out = tmp_path / "out"
    assert kg("build", str(cards), "-o", str(out)).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}

    _card(good, size="huge")
    result = kg("build", str(cards), "-o", str(out))
    assert result.returncode == 1
    assert f'{good}:6: error: Model Size "huge"' in result.stderr
    assert "Nothing written" in result.stderr
    assert "Traceback" not in result.stderr
    outputs = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}
    assert outputs == before, "no output changed, no temp file left"
    assert [p.name for p in (out / ".cache").iterdir()] == ["validation.json"], "the cache is not an output"


def test_keep_going_publishes_the_valid_cards_with_exit_3(tmp_path):
    cards = tmp_path / "cards"
    cards.mkdir()
    _card(cards / "Good.md", title="Good")
    _card(cards / "Bad.md", title="Bad", size="lots")
    out = tmp_path / "out"
    result = kg("build", str(cards), "-o", str(out), "--keep-going")
    assert result.returncode == 3, result.stderr
    assert f"Left out (errors): {cards / 'Bad.md'}" in result.stderr
    text = (out / "graph.nt").read_text(encoding="utf-8")
    assert "/model/good>" in text and "/model/bad>" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "no-such-folder"], "no such file or folder: no-such-folder"),
        (["build", "cards", "--base", "not an iri/"], "--base"),
        (["build", "cards", "--base", "https://example.org/x"], "must end with"),
        (["build"], "Missing argument"),
        (["parse"], "Missing argument"),
    ],
)
def test_usage_errors_exit_2_without_traceback(args, message):
    result = kg(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"just some notes\n"])
def test_unreadable_files_are_reported_with_file_and_line(tmp_path, content):
    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    result = kg("build", str(bad), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert f"{bad}:1: error:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_unwritable_output_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = kg("build", "cards", "-o", str(blocker / "out"))
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr
    assert str(blocker) in result.stderr


def test_parse_json_gives_values_with_positions():
    result = kg("parse", str(ML_CARDS / "GPT-2.md"), "--json")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    assert record["title"]["value"] == "GPT-2"
    assert record["model_size"] == {
        "value": {"minimum": 1_500_000_000, "maximum": 1_500_000_000},
        "span": {"file": str(ML_CARDS / "GPT-2.md"), "line": 6, "raw": "1.5B"},
    }
    assert record["publication_date"]["value"] == {"date": "2019-02-24", "ambiguous": False}


def test_parse_exit_code_reflects_errors(tmp_path):
    bad = _card(tmp_path / "Bad.md", size="lots")
    result = kg("parse", str(bad))
    assert result.returncode == 1
    assert f"{bad}:6: error:" in result.stderr


def test_help_documents_exit_codes():
    result = kg("build", "--help")
    assert result.returncode == 0
    assert "Exit codes" in result.stdout and "3  published with exclusions" in result.stdout
