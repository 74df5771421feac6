"""The reader on hand-made irregular and broken cards.

`tests/data/irregular/` holds cards that use a legal variant of the format (CRLF, BOM, ☣️ wrappers, ranges,
an `Institution Type:` line, whitespace-only paragraph breaks, other field orders, label case/spacing): they
must read without any finding. `tests/data/bad/` holds cards with problems that must become findings, never
exceptions. Cases that need exact bytes or file modes are written to `tmp_path` by the tests themselves.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

import kg
from kg.readers import read_card
from kg.records import Link, ParameterCount, Severity

from . import conftest

BAD, IRREGULAR = conftest.BAD, conftest.IRREGULAR
line_of, sha256_of = conftest.line_of, conftest.sha256_of

ERROR, WARNING = Severity.ERROR, Severity.WARNING

# The base card used by the hand-made inputs; detail bullets are on lines 5 to 16 in this order.
BASE = [
    ("Name", "[Tiny Parrot](https://example.org/tiny-parrot) 📚"),
    ("Model Size", "7B"),
    ("Dataset", "[Bird Songs](https://example.org/bird-songs), roughly 2B tokens of transcribed chirps"),
    ("Input/Output Format", "Text"),
    ("Research Field", "Natural Language Processing"),
    ("Contains an Impact Assessment", "Yes"),
    ("Associated Risks", "Disinformation, Environmental Impacts"),
    ("Date of Publication", "3/14/2023"),
    ("Organization", "[Example Lab](https://example.org/) (Non-profit)"),
    ("Country/Origin", "United States of America"),
    ("License", "MIT License"),
    ("Publication", "[Tiny Parrot: A Card For Tests](https://example.org/tiny-parrot/paper)"),
]
LINE = {label: number for number, (label, _) in enumerate(BASE, start=5)}
BODY = (
    "\n## Description\n\nTiny Parrot is an invented model that exists only to exercise the reader.\n\n"
    "## Organization\n\nExample Lab is an invented organization.\n"
)


def card_text(title: str = "Tiny Parrot", replace: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> str:
    replace = replace or {}
    bullets = [f"- {label}: {replace.get(label, value)}" for label, value in BASE if label not in drop]
    return f"# {title}\n\n## Model Details\n\n" + "\n".join(bullets) + "\n" + BODY


def write_card(tmp_path: Path, name: str = "card.md", **kwargs) -> Path:
    path = tmp_path / name
    path.write_text(card_text(**kwargs), encoding="utf-8", newline="\n")
    return path


def triples(record) -> set[tuple[Severity, str, int]]:
    return {(f.severity, f.code, f.line) for f in record.findings}


def values(fields) -> tuple:
    return tuple(f.value for f in fields)


def assert_base_values(record, title: str) -> None:
    """The values of BASE, normalized by hand."""
    assert record.format == "model-library-markdown"
    assert record.title.value == title
    assert record.name.value == Link(
        "Tiny Parrot", "https://example.org/tiny-parrot", "https://example.org/tiny-parrot"
    )
    assert values(record.modality_badges) == ("📚",)
    assert record.model_size.value == ParameterCount(7_000_000_000, 7_000_000_000)
    assert record.dataset.value.text == "Bird Songs, roughly 2B tokens of transcribed chirps"
    assert record.dataset.value.links == (
        Link("Bird Songs", "https://example.org/bird-songs", "https://example.org/bird-songs"),
    )
    assert values(record.io_formats) == ("Text",)
    assert values(record.research_fields) == ("Natural Language Processing",)
    assert record.impact_assessment.value is True
    assert values(record.risks) == ("Disinformation", "Environmental Impacts")
    assert record.publication_date.value.date == dt.date(2023, 3, 14)
    assert record.publication_date.value.ambiguous is False
    assert record.organization.value.name == "Example Lab"
    assert record.organization.value.link == Link("Example Lab", "https://example.org/", "https://example.org/")
    assert record.organization.value.type_label == "Non-profit"
    assert record.country.value == "United States of America"
    assert record.license.value == "MIT License"
    assert record.publication.value.text == "Tiny Parrot: A Card For Tests"
    assert values(record.description) == ("Tiny Parrot is an invented model that exists only to exercise the reader.",)
    assert values(record.organization_description) == ("Example Lab is an invented organization.",)


# ---------------------------------------------------------------- irregular but valid inputs

IRREGULAR_FILES = (
    "bom.md",
    "crlf.md",
    "hazard-risks-bare.md",
    "hazard-risks.md",
    "institution-type-line.md",
    "label-variation.md",
    "million-size.md",
    "range-size.md",
    "reordered.md",
    "trillion-size.md",
    "whitespace-paragraphs.md",
)


def test_irregular_inputs_kept_their_bytes():
    crlf = (IRREGULAR / "crlf.md").read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n") > 20
    assert (IRREGULAR / "bom.md").read_bytes().startswith(b"\xef\xbb\xbf# Bom Parrot\n")
    assert "☣️ Disinformation" in (IRREGULAR / "hazard-risks.md").read_text(encoding="utf-8")
    assert "\ufe0f" not in (IRREGULAR / "hazard-risks-bare.md").read_text(encoding="utf-8")


def test_parse_irregular_folder_reads_every_file_sorted():
    records = kg.parse([IRREGULAR])
    assert [Path(r.path).name for r in records] == sorted(IRREGULAR_FILES)
    assert [r.path for r in records] == sorted(r.path for r in records)


@pytest.mark.parametrize("name", IRREGULAR_FILES)
def test_irregular_card_reads_without_findings(name):
    path = IRREGULAR / name
    record = read_card(path)
    assert record.findings == []
    assert record.path == str(path)
    assert record.sha256 == sha256_of(path)
    scalars = (
        record.title,
        record.name,
        record.model_size,
        record.dataset,
        record.impact_assessment,
        record.publication_date,
        record.organization,
        record.country,
        record.license,
        record.publication,
    )
    for field in scalars:
        assert field is not None and field.value is not None
        assert field.span.file == str(path)
        assert "\r" not in field.span.raw and "\ufeff" not in field.span.raw
    assert record.io_formats and record.research_fields and record.risks
    assert record.description and record.organization_description


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("crlf.md", "Crlf Parrot"),
        ("bom.md", "Bom Parrot"),
        ("label-variation.md", "Relabelled Parrot"),
        ("reordered.md", "Reordered Parrot"),
    ],
)
def test_irregular_card_values_equal_the_plain_card(name, title):
    assert_base_values(read_card(IRREGULAR / name), title)


@pytest.mark.parametrize("name", ["crlf.md", "bom.md", "reordered.md"])
def test_spans_follow_the_file_lines(name):
    path = IRREGULAR / name
    record = read_card(path)
    assert record.title.span.line == 1
    assert record.model_size.span.line == line_of(path, "- Model Size: ")
    assert record.model_size.span.raw == "7B"
    assert record.publication.span.line == line_of(path, "- Publication: ")
    assert record.organization.span.line == line_of(path, "- Organization: ")
    assert record.description[0].span.line == line_of(path, "Tiny Parrot is an invented model")


def test_label_case_and_whitespace_variants_are_matched():
    path = IRREGULAR / "label-variation.md"
    record = read_card(path)
    assert record.model_size.span.line == line_of(path, "- model  Size: ")
    assert record.publication_date.span.line == line_of(path, "- DATE OF PUBLICATION: ")
    assert record.country.span.line == line_of(path, "- country/origin: ")
    assert [f.span.line for f in record.io_formats] == [line_of(path, "- Input/output  format: ")]


@pytest.mark.parametrize(
    ("name", "risks"),
    [
        ("hazard-risks.md", ("Disinformation", "Bodily Harm")),
        ("hazard-risks-bare.md", ("Malware Development", "Biological Risks")),
    ],
)
def test_hazard_wrapper_is_stripped_from_risks(name, risks):
    assert values(read_card(IRREGULAR / name).risks) == risks


@pytest.mark.parametrize(
    ("name", "minimum", "maximum"),
    [
        ("range-size.md", 70_000_000, 20_000_000_000),
        ("trillion-size.md", 1_200_000_000_000, 1_200_000_000_000),
        ("million-size.md", 350_000_000, 350_000_000),
    ],
)
def test_size_files(name, minimum, maximum):
    size = read_card(IRREGULAR / name).model_size
    assert size.value == ParameterCount(minimum, maximum)
    assert size.value.is_range is (minimum != maximum)
    assert size.span.line == 6


def test_institution_type_on_its_own_line():
    path = IRREGULAR / "institution-type-line.md"
    organization = read_card(path).organization
    assert organization.value.name == "Example Lab"
    assert organization.value.link == Link("Example Lab", "https://example.org/", "https://example.org/")
    assert organization.value.type_label == "Non-profit"
    assert organization.span.line == line_of(path, "- Organization: ")


def test_whitespace_only_lines_separate_paragraphs():
    record = read_card(IRREGULAR / "whitespace-paragraphs.md")
    assert [(f.span.line, f.value) for f in record.description] == [
        (20, "Spacey Parrot repeats what it hears. It learned from recordings of parrots."),
        (23, "Its second paragraph follows a line that holds only spaces."),
        (25, "Its third paragraph follows a line holding a tab and a space."),
    ]
    assert [(f.span.line, f.value) for f in record.organization_description] == [
        (29, "Example Lab is an invented organization."),
        (31, "It has a second paragraph after a line of two spaces."),
    ]


# ---------------------------------------------------------------- values written to tmp_path

B = 1_000_000_000


@pytest.mark.parametrize(
    ("raw", "minimum", "maximum"),
    [
        ("7B", 7 * B, 7 * B),
        ("1.5B", 1_500_000_000, 1_500_000_000),
        ("1.55B", 1_550_000_000, 1_550_000_000),
        ("12.8B", 12_800_000_000, 12_800_000_000),
        ("350M", 350_000_000, 350_000_000),
        ("125m", 125_000_000, 125_000_000),
        ("1.2T", 1_200 * B, 1_200 * B),
        ("2t", 2_000 * B, 2_000 * B),
        ("500K", 500_000, 500_000),
        ("64k", 64_000, 64_000),
        ("70M - 20B", 70_000_000, 20 * B),
        ("1.3B - 175B", 1_300_000_000, 175 * B),
    ],
)
def test_model_size_values(tmp_path, raw, minimum, maximum):
    record = read_card(write_card(tmp_path, replace={"Model Size": raw}))
    assert record.model_size.value == ParameterCount(minimum, maximum)
    assert (record.model_size.span.line, record.model_size.span.raw) == (6, raw)
    assert record.findings == []


def test_model_size_not_specified(tmp_path):
    record = read_card(write_card(tmp_path, replace={"Model Size": "Not specified"}))
    assert record.model_size.value is None
    assert record.findings == []


def test_dataset_link_with_parentheses_in_its_url(tmp_path):
    # README 1.15: URLs with balanced parentheses occur (CICERO's body links to `Diplomacy_(game)`)
    url = "https://en.wikipedia.org/wiki/Diplomacy_(game)"
    record = read_card(write_card(tmp_path, replace={"Dataset": f"Logs of [Diplomacy]({url}) games"}))
    assert record.dataset.value.text == "Logs of Diplomacy games"
    assert record.dataset.value.links == (Link("Diplomacy", url, url),)
    assert record.findings == []


@pytest.mark.parametrize(
    ("raw", "date", "ambiguous"),
    [
        ("3/14/2023", (2023, 3, 14), False),
        ("11/9/2022", (2022, 11, 9), True),
        ("7/7/2021", (2021, 7, 7), False),
        ("11/01/2021", (2021, 11, 1), True),
        ("2/29/2024", (2024, 2, 29), False),
        ("12/12/2020", (2020, 12, 12), False),
        ("1/2/2023", (2023, 1, 2), True),
    ],
)
def test_publication_date_values(tmp_path, raw, date, ambiguous):
    record = read_card(write_card(tmp_path, replace={"Date of Publication": raw}))
    assert record.publication_date.value.date == dt.date(*date)
    assert record.publication_date.value.ambiguous is ambiguous
    line = LINE["Date of Publication"]
    assert triples(record) == ({(WARNING, "ambiguous-date", line)} if ambiguous else set())


def test_publication_date_not_specified(tmp_path):
    record = read_card(write_card(tmp_path, replace={"Date of Publication": "Not specified"}))
    assert record.publication_date.value is None
    assert record.findings == []


@pytest.mark.parametrize(("raw", "expected"), [("Yes", True), ("No", False), ("yes", True), ("NO", False)])
def test_impact_assessment_values(tmp_path, raw, expected):
    record = read_card(write_card(tmp_path, replace={"Contains an Impact Assessment": raw}))
    assert record.impact_assessment.value is expected
    assert record.findings == []


@pytest.mark.parametrize(
    ("label", "raw", "code"),
    [
        ("Model Size", "huge", "invalid-size"),
        ("Model Size", "1.5X", "invalid-size"),
        ("Model Size", "B", "invalid-size"),
        ("Model Size", "seven billion", "invalid-size"),
        ("Date of Publication", "2/30/2023", "invalid-date"),
        ("Date of Publication", "13/1/2023", "invalid-date"),
        ("Date of Publication", "2/29/2023", "invalid-date"),
        ("Date of Publication", "someday", "invalid-date"),
        ("Contains an Impact Assessment", "Maybe", "invalid-boolean"),
        ("Contains an Impact Assessment", "Unknown", "invalid-boolean"),
    ],
)
def test_invalid_values_become_one_error_at_their_line(tmp_path, label, raw, code):
    path = write_card(tmp_path, replace={label: raw})
    record = read_card(path)
    assert triples(record) == {(ERROR, code, LINE[label])}
    assert all(f.file == str(path) for f in record.findings)
    field = {
        "Model Size": record.model_size,
        "Date of Publication": record.publication_date,
        "Contains an Impact Assessment": record.impact_assessment,
    }[label]
    assert field is None or field.value is None  # nothing is guessed from a broken value


@pytest.mark.parametrize(
    "target",
    [
        "https://example.org/paper",
        "http://example.org",
        "ftp://example.org/paper.pdf",
        "urn:isbn:0451450523",
        "https://例え.jp/論文",
    ],
)
def test_absolute_iri_targets_get_a_url(tmp_path, target):
    record = read_card(write_card(tmp_path, replace={"Publication": f"[Paper]({target})"}))
    assert record.publication.value == Link("Paper", target, target)
    assert record.findings == []


@pytest.mark.parametrize(
    "target", ["docs/paper.pdf", "www.example.org/paper", "/paper.pdf", "#section", "link-to-the-model-paper-or-repo"]
)
def test_relative_targets_warn_and_have_no_url(tmp_path, target):
    record = read_card(write_card(tmp_path, replace={"Publication": f"[Paper]({target})"}))
    assert record.publication.value == Link("Paper", target, None)
    assert triples(record) == {(WARNING, "invalid-link", LINE["Publication"])}


@pytest.mark.parametrize(
    ("label", "severity"),
    [
        ("Name", ERROR),
        ("Organization", ERROR),
        ("License", WARNING),
        ("Dataset", WARNING),
        ("Input/Output Format", WARNING),
        ("Date of Publication", WARNING),
    ],
)
def test_missing_fields(tmp_path, label, severity):
    record = read_card(write_card(tmp_path, drop=(label,)))
    assert [(f.severity, f.code) for f in record.findings] == [(severity, "missing-field")]
    assert record.has_errors is (severity is ERROR)


# ---------------------------------------------------------------- broken files under tests/data/bad

WHOLE_FILE = {
    "empty.md": "unreadable",
    "no-title.md": "not-a-card",
    "no-details.md": "not-a-card",
    "notes.md": "not-a-card",
}
ONE_VALUE = {
    "bad-size.md": {(ERROR, "invalid-size", 6)},
    "bad-date.md": {(ERROR, "invalid-date", 12)},
    "bad-boolean.md": {(ERROR, "invalid-boolean", 10)},
    "relative-link.md": {(WARNING, "invalid-link", 16)},
    "duplicate-field.md": {(ERROR, "duplicate-field", 7)},
    "unknown-field.md": {(WARNING, "unknown-field", 7)},
}


def test_parse_bad_folder_never_raises():
    records = kg.parse([BAD])
    assert sorted(Path(r.path).name for r in records) == sorted([*WHOLE_FILE, *ONE_VALUE, "missing-name.md"])
    assert [r.path for r in records] == sorted(r.path for r in records)
    assert all(r.findings for r in records)


@pytest.mark.parametrize("name", sorted(WHOLE_FILE))
def test_whole_file_problems_are_errors_at_line_1(name):
    path = BAD / name
    record = read_card(path)
    assert (ERROR, WHOLE_FILE[name], 1) in triples(record)
    assert all(f.file == str(path) for f in record.findings)
    assert record.sha256 == sha256_of(path)


@pytest.mark.parametrize("name", sorted(ONE_VALUE))
def test_one_bad_value_gives_one_finding_at_its_line(name):
    path = BAD / name
    record = read_card(path)
    assert triples(record) == ONE_VALUE[name]
    assert [f.file for f in record.findings] == [str(path)]


def test_relative_link_file_keeps_target():
    assert read_card(BAD / "relative-link.md").publication.value == Link(
        "Tiny Parrot paper", "docs/tiny-parrot.pdf", None
    )


def test_missing_name_is_an_error():
    record = read_card(BAD / "missing-name.md")
    assert [(f.severity, f.code) for f in record.findings] == [(ERROR, "missing-field")]
    assert record.name is None and record.modality_badges == ()


# ---------------------------------------------------------------- bytes, permissions and paths


def test_invalid_utf8_is_unreadable(tmp_path):
    path = tmp_path / "latin1.md"
    data = card_text().encode("utf-8").replace(b"roughly", b"rough\xffly\xc3(")
    path.write_bytes(data)
    record = read_card(path)
    # one ERROR for the whole file, at the line holding the first bad byte (the Dataset bullet)
    assert data[: data.index(b"\xff")].count(b"\n") + 1 == LINE["Dataset"]
    assert triples(record) == {(ERROR, "unreadable", LINE["Dataset"])}
    assert record.sha256 == sha256_of(path)


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0,
    reason="running as root: root reads files without read permission, so none can be made unreadable",
)
def test_file_without_read_permission_is_unreadable(tmp_path):
    path = write_card(tmp_path)
    path.chmod(0)
    try:
        record = kg.parse([path])[0]
        assert (ERROR, "unreadable", 1) in triples(record)
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize("missing", ["missing.md", "missing-folder"])
def test_nonexistent_path_raises(tmp_path, missing):
    with pytest.raises(FileNotFoundError):
        kg.parse([tmp_path / missing])


def test_folders_are_read_recursively_for_md_only(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    given = [
        write_card(tmp_path, "b.md"),
        write_card(tmp_path / "sub", "a.md"),
        write_card(tmp_path / "sub" / "deeper", "c.md"),
    ]
    (tmp_path / "notes.txt").write_text("not a card\n", encoding="utf-8")
    records = kg.parse([tmp_path])
    assert sorted(Path(r.path) for r in records) == sorted(given)
    assert [r.path for r in records] == sorted(r.path for r in records)
    assert all(r.findings == [] for r in records)
