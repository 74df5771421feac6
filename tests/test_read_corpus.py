"""The reader on the 36 Model Library cards and the mis-encoded seed card.

Every expected value here is taken from the card files or from the corpus README (section 1), never from the
reader's output. Lines are found in the file text independently of the reader.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

import kg
from kg.readers import read_card
from kg.records import Link, ParameterCount, Severity

from . import conftest

CARD_NAMES, DETAIL_LABELS = conftest.CARD_NAMES, conftest.DETAIL_LABELS
ML_CARDS, SEED, require, sha256_of = conftest.ML_CARDS, conftest.SEED, conftest.require, conftest.sha256_of
card_path, detail_value = conftest.card_path, conftest.detail_value
line_of, paragraphs = conftest.line_of, conftest.paragraphs

B = 1_000_000_000
NORMAL_CARDS = tuple(n for n in CARD_NAMES if n != "Claude 3")

# Model Size as the cards write it (README 1.3); None = "Not specified".
SIZES = {
    "AudioLM": None,
    "BLOOM": 176 * B,
    "BlenderBot 3": 175 * B,
    "CICERO": 2_700_000_000,
    "CLIP": None,
    "ChatGPT": 175 * B,
    "Claude 3": None,
    "Code Llama": 34 * B,
    "Codex": 12 * B,
    "DALL-E 2": 3_500_000_000,
    "DALL-E 3": None,
    "DALL-E": 12 * B,
    "ESM-2": 15 * B,
    "GLIDE": 3_500_000_000,
    "GPT-2": 1_500_000_000,
    "GPT-3": 175 * B,
    "GPT-4": None,
    "GPT-J": 6 * B,
    "GPT-NeoX": 20 * B,
    "Galactica": 120 * B,
    "Github Copilot": None,
    "Imagen": 14 * B,
    "InstructGPT": 175 * B,
    "LLaMA 2": 70 * B,
    "LLaMA": 65 * B,
    "LaMDA": 137 * B,
    "Midjourney": None,
    "Muse": 3 * B,
    "OPT-175B": 175 * B,
    "PaLM 2": None,
    "PaLM": 540 * B,
    "Parti": 20 * B,
    "Polyglot-Ko": 12_800_000_000,
    "Pythia": 12 * B,
    "WebGPT": 175 * B,
    "Whisper": 1_550_000_000,
}

# README 1.10: 21 dates only valid as m/d, Codex's symmetric 7/7/2021, and 14 ambiguous ones.
UNAMBIGUOUS_DATES = {
    "AudioLM": (2023, 7, 26),
    "CICERO": (2022, 11, 22),
    "CLIP": (2021, 2, 26),
    "ChatGPT": (2022, 11, 30),
    "Code Llama": (2023, 8, 24),
    "DALL-E 2": (2022, 4, 13),
    "DALL-E 3": (2023, 9, 20),
    "DALL-E": (2021, 2, 24),
    "ESM-2": (2023, 3, 16),
    "GLIDE": (2021, 12, 20),
    "GPT-2": (2019, 2, 24),
    "GPT-3": (2020, 5, 28),
    "GPT-4": (2023, 3, 15),
    "GPT-NeoX": (2022, 4, 14),
    "Galactica": (2022, 11, 16),
    "Github Copilot": (2021, 10, 29),
    "Imagen": (2022, 5, 23),
    "LLaMA 2": (2023, 7, 18),
    "LLaMA": (2023, 2, 27),
    "Parti": (2022, 6, 22),
    "WebGPT": (2021, 12, 17),
    "Codex": (2021, 7, 7),
}
AMBIGUOUS_DATES = {
    "BLOOM": (2022, 11, 9),
    "BlenderBot 3": (2022, 8, 5),
    "Claude 3": (2021, 11, 1),
    "GPT-J": (2021, 6, 9),
    "InstructGPT": (2022, 3, 4),
    "LaMDA": (2022, 2, 10),
    "Midjourney": (2022, 7, 12),
    "Muse": (2023, 1, 2),
    "OPT-175B": (2022, 5, 2),
    "PaLM 2": (2023, 5, 1),
    "PaLM": (2022, 10, 5),
    "Polyglot-Ko": (2023, 4, 3),
    "Pythia": (2023, 4, 3),
    "Whisper": (2022, 12, 6),
}

# README 1.2 (badges without U+FE0F) and 1.5.
IMAGE_CARDS = (
    "CLIP",
    "DALL-E",
    "DALL-E 2",
    "DALL-E 3",
    "GLIDE",
    "GPT-4",
    "Imagen",
    "Midjourney",
    "Muse",
    "Parti",
)
SPECIAL_BADGES = {
    "AudioLM": ("📢",),
    "Whisper": ("📢", "📚"),
    "CICERO": ("📚", "🕹"),
    "ESM-2": ("🧬",),
    "Claude 3": (),
}
SPECIAL_IO = {
    "AudioLM": ("Audio",),
    "Whisper": ("Text", "Audio"),
    "ESM-2": ("Biological Data",),
    "Claude 3": (),
}


def expected_badges(name: str) -> tuple[str, ...]:
    return SPECIAL_BADGES.get(name, ("📚", "🖼") if name in IMAGE_CARDS else ("📚",))


def expected_io(name: str) -> tuple[str, ...]:
    return SPECIAL_IO.get(name, ("Text", "Image") if name in IMAGE_CARDS else ("Text",))


def values(fields) -> tuple:
    return tuple(f.value for f in fields)


def codes(record) -> list[str]:
    return sorted(f.code for f in record.findings)


# ---------------------------------------------------------------- corpus shape, parse() and record identity


def test_corpus_folder_holds_exactly_the_36_cards():
    assert sorted(p.name for p in require(ML_CARDS).glob("*.md")) == sorted(f"{n}.md" for n in CARD_NAMES)


def test_parse_folder_returns_36_records_sorted_by_path(corpus_records):
    assert sorted(corpus_records) == sorted(CARD_NAMES)
    records = kg.parse([ML_CARDS])
    assert [r.path for r in records] == sorted(r.path for r in records)


def test_parse_files_sorts_and_keeps_paths_as_given():
    given = [card_path("Whisper"), card_path("AudioLM"), SEED]
    records = kg.parse(given)
    assert [r.path for r in records] == sorted(str(p) for p in given)


def test_parse_folder_and_seed_together_reads_37_cards():
    records = kg.parse([ML_CARDS, SEED.parent])
    assert len(records) == 37
    assert sum(r.encoding_repaired for r in records) == 1


@pytest.mark.parametrize("name", CARD_NAMES)
def test_identity_title_format_and_read_card(corpus_records, name):
    record = corpus_records[name]
    path = card_path(name)
    assert Path(record.path) == path
    assert record.sha256 == sha256_of(path)
    assert record.format == "model-library-markdown"
    assert record.title.value == name  # the `# title` always equals the file name minus .md
    assert record.title.span.line == 1
    assert record.title.span.file == record.path
    assert record.encoding_repaired is False
    assert read_card(path) == record  # one file read alone gives the same record as the folder read


# ---------------------------------------------------------------- spans: line and raw text of every bullet


ATTRIBUTE = {
    "Name": "name",
    "Model Size": "model_size",
    "Dataset": "dataset",
    "Input/Output Format": "io_formats",
    "Research Field": "research_fields",
    "Contains an Impact Assessment": "impact_assessment",
    "Associated Risks": "risks",
    "Date of Publication": "publication_date",
    "Organization": "organization",
    "Country/Origin": "country",
    "License": "license",
    "Publication": "publication",
}


@pytest.mark.parametrize("label", DETAIL_LABELS)
@pytest.mark.parametrize("name", CARD_NAMES)
def test_every_detail_field_points_at_its_line(corpus_records, name, label):
    record = corpus_records[name]
    path = card_path(name)
    if name == "Claude 3" and label == "Input/Output Format":
        assert record.io_formats == ()  # README 1.5: the line is missing
        return
    line = line_of(path, f"- {label}: ")
    raw = detail_value(path, label)
    field = getattr(record, ATTRIBUTE[label])
    if isinstance(field, tuple):  # multi-valued: one Field per item, all on the bullet's line
        assert field and all((f.span.file, f.span.line) == (record.path, line) for f in field)
    else:
        assert (field.span.file, field.span.line, field.span.raw) == (record.path, line, raw)
    if label == "Name":
        assert all(b.span.line == line for b in record.modality_badges)


# ---------------------------------------------------------------- Name and badges (README 1.2)


@pytest.mark.parametrize("name", CARD_NAMES)
def test_name_link_and_badges(corpus_records, name):
    record = corpus_records[name]
    link = record.name.value
    assert link.text == ("Model X" if name == "Claude 3" else name)
    assert f"[{link.text}]({link.target})" in detail_value(card_path(name), "Name")
    assert link.url == (None if name == "Claude 3" else link.target)
    assert values(record.modality_badges) == expected_badges(name)
    assert all("\ufe0f" not in b for b in values(record.modality_badges))


def test_badge_combination_counts(corpus_records):
    combos = Counter(values(r.modality_badges) for r in corpus_records.values())
    assert combos == {
        ("📚",): 21,
        ("📚", "🖼"): 10,
        ("📢",): 1,
        ("📢", "📚"): 1,
        ("📚", "🕹"): 1,
        ("🧬",): 1,
        (): 1,
    }


# ---------------------------------------------------------------- Model Size (README 1.3)


@pytest.mark.parametrize("name", CARD_NAMES)
def test_model_size(corpus_records, name):
    expected = SIZES[name]
    size = corpus_records[name].model_size.value
    assert size == (None if expected is None else ParameterCount(expected, expected))
    assert size is None or not size.is_range
    assert sum(v is None for v in SIZES.values()) == 8  # README 1.3: 8 cards say "Not specified"


# ---------------------------------------------------------------- Dataset (README 1.4)


def test_dataset_not_specified_in_five_cards(corpus_records):
    missing = {n for n, r in corpus_records.items() if r.dataset.value is None}
    assert missing == {"DALL-E 3", "GLIDE", "GPT-4", "Github Copilot", "Midjourney"}


DATASETS = {
    "GPT-2": ("WebText", [("WebText", "https://github.com/openai/gpt-2/blob/master/domains.txt")]),
    "DALL-E 2": (
        "Encoder dataset: DALL-E and CLIP dataset (approximately 650M images). "
        "Decoder dataset: DALL-E dataset (approximately 250M images)",
        [],
    ),
    "ESM-2": (
        "Uniref50 (UR50) dataset: a biological dataset taken from the Uniprot database",
        [("Uniprot database", "https://www.uniprot.org/")],
    ),
    "Parti": (
        "LAION-400M dataset, ALIGN training data, and the JFT-4B dataset",
        [
            ("LAION-400M dataset", "https://huggingface.co/datasets/laion/laion400m"),
            ("ALIGN training data", "https://arxiv.org/abs/2102.05918"),
            ("JFT-4B dataset", "https://paperswithcode.com/paper/scaling-vision-transformers"),
        ],
    ),
    "WebGPT": (
        "A collection of demonstrations and comparisons made by freelance contractors from Upwork and Surge AI",
        [("Upwork", "https://www.upwork.com"), ("Surge AI", "https://www.surgehq.ai")],
    ),
}


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_dataset_text_and_links(corpus_records, name):
    text, links = DATASETS[name]
    dataset = corpus_records[name].dataset.value
    assert dataset.text == text
    assert dataset.links == tuple(Link(t, u, u) for t, u in links)


# ---------------------------------------------------------------- I/O, research fields, impact, risks


@pytest.mark.parametrize("name", CARD_NAMES)
def test_io_formats(corpus_records, name):
    assert values(corpus_records[name].io_formats) == expected_io(name)


def test_research_field_counts(corpus_records):
    counts = Counter(v for r in corpus_records.values() for v in values(r.research_fields))
    assert counts == {
        "Natural Language Processing": 35,
        "Computer Vision": 10,
        "Reinforcement Learning": 6,
        "Speech Recognition": 2,
        "Deep Learning": 1,
        "Pattern Recognition": 1,
        "Forecasting": 1,
    }
    assert all(1 <= len(r.research_fields) <= 3 for r in corpus_records.values())
    assert values(corpus_records["ESM-2"].research_fields) == ("Pattern Recognition", "Forecasting")


def test_impact_assessment(corpus_records):
    no = {"CICERO", "DALL-E", "DALL-E 3", "ESM-2", "Github Copilot", "Midjourney"}
    actual = {n: r.impact_assessment.value for n, r in corpus_records.items()}
    assert actual == {n: n not in no for n in CARD_NAMES}


def test_risk_counts_as_written(corpus_records):
    counts = Counter(v for r in corpus_records.values() for v in values(r.risks))
    assert counts == {
        "Algorithmic Discrimination": 35,
        "Environmental Impacts": 35,
        "Disinformation": 29,
        "Social Engineering": 21,
        "Technological Unemployment": 20,
        "Malware Development": 9,
        "Intelectual Fraud": 7,
        "Surveillance and Social Control": 2,
        "Biological Risks": 1,
    }
    assert all(2 <= len(r.risks) <= 7 for r in corpus_records.values())


def test_intelectual_fraud_kept_as_written_in_exactly_seven_cards(corpus_records):
    with_it = {n for n, r in corpus_records.items() if "Intelectual Fraud" in values(r.risks)}
    assert with_it == {"ChatGPT", "GPT-4", "InstructGPT", "LLaMA 2", "PaLM", "PaLM 2", "Galactica"}


# ---------------------------------------------------------------- Date of Publication (README 1.10)


@pytest.mark.parametrize("name", CARD_NAMES)
def test_publication_date_and_ambiguity(corpus_records, name):
    record = corpus_records[name]
    assert (len(UNAMBIGUOUS_DATES), len(AMBIGUOUS_DATES)) == (22, 14)  # README 1.10: 21 + Codex, and 14
    ambiguous = name in AMBIGUOUS_DATES
    expected = dt.date(*(AMBIGUOUS_DATES[name] if ambiguous else UNAMBIGUOUS_DATES[name]))
    assert record.publication_date.value.date == expected
    assert record.publication_date.value.ambiguous is ambiguous
    warnings = [f for f in record.findings if f.code == "ambiguous-date"]
    if ambiguous:
        assert len(warnings) == 1
        assert warnings[0].severity is Severity.WARNING
        line = line_of(card_path(name), "- Date of Publication: ")
        assert (warnings[0].file, warnings[0].line) == (record.path, line)
    else:
        assert warnings == []


# ---------------------------------------------------------------- Organization, country, licence, publication


def test_organization_type_counts(corpus_records):
    counts = Counter(r.organization.value.type_label for r in corpus_records.values())
    assert counts == {
        "Non-profit": 17,
        "Public Company": 9,
        "Subsidiary": 8,
        "Academic/Research Institution": 1,
        "Independent Research Lab": 1,
    }


@pytest.mark.parametrize(
    ("name", "org", "target", "type_label"),
    [
        ("BLOOM", "BigScience", "https://bigscience.huggingface.co/", "Academic/Research Institution"),
        ("Midjourney", "Midjourney, Inc.", "https://www.midjourney.com/", "Independent Research Lab"),
        ("GPT-2", "OpenAI Inc.", "https://openai.com/", "Non-profit"),
        ("Github Copilot", "Github", "https://github.com/", "Subsidiary"),
        ("PaLM 2", "Google AI", "https://ai.google/", "Subsidiary"),
        ("CICERO", "Meta AI", "https://ai.meta.com/", "Public Company"),
        ("GPT-J", "EleutherAI", "https://www.eleuther.ai", "Non-profit"),
    ],
)
def test_organization_values(corpus_records, name, org, target, type_label):
    value = corpus_records[name].organization.value
    assert (value.name, value.link, value.type_label) == (org, Link(org, target, target), type_label)


def test_country_and_license_counts(corpus_records):
    countries = Counter(r.country.value for r in corpus_records.values())
    assert countries == {"United States of America": 35, "France": 1}
    assert corpus_records["BLOOM"].country.value == "France"
    licenses = Counter(r.license.value for r in corpus_records.values())
    assert licenses == {
        "Proprietary License": 18,
        "Apache 2.0 License": 5,
        "MIT License": 4,
        "LLaMA 2 Community License Agreement": 3,
        "CC BY-NC-SA 4.0": 2,
        "BigScience RAIL License": 1,
        "BB3-175B License": 1,
        "OPT-175B License": 1,
        "MIT License*": 1,
    }
    assert corpus_records["GLIDE"].license.value == "MIT License*"


def test_publication_titles_with_colon_space_are_kept_whole(corpus_records):
    with_colon = {n for n, r in corpus_records.items() if ": " in r.publication.value.text}
    assert with_colon == {
        "AudioLM",
        "BLOOM",
        "BlenderBot 3",
        "ChatGPT",
        "Code Llama",
        "DALL-E 3",
        "GLIDE",
        "GPT-NeoX",
        "Galactica",
        "LLaMA 2",
        "LLaMA",
        "LaMDA",
        "Muse",
        "OPT-175B",
        "PaLM",
        "Polyglot-Ko",
        "Pythia",
        "WebGPT",
    }


@pytest.mark.parametrize(
    ("name", "text", "target"),
    [
        (
            "GLIDE",
            "GLIDE: Towards Photorealistic Image Generation and Editing with Text-Guided Diffusion Models",
            "https://arxiv.org/abs/2112.10741v1",
        ),
        ("GPT-J", "GPT-J", "https://huggingface.co/EleutherAI/gpt-j-6B"),
        ("Github Copilot", "Your AI pair programmer", "https://github.com/features/copilot"),
        (
            "ESM-2",
            "Evolutionary-scale prediction of atomic level protein structure with a language model",
            "https://www.biorxiv.org/content/10.1101/2022.07.20.500902v3",
        ),
    ],
)
def test_publication_links(corpus_records, name, text, target):
    assert corpus_records[name].publication.value == Link(text, target, target)


# ---------------------------------------------------------------- body paragraphs (README 1.1, 1.15)


@pytest.mark.parametrize("name", CARD_NAMES)
def test_description_and_organization_paragraphs(corpus_records, name):
    record = corpus_records[name]
    path = card_path(name)
    for fields, heading in (
        (record.description, "## Description"),
        (record.organization_description, "## Organization"),
    ):
        expected = paragraphs(path, heading)
        assert [(f.span.line, f.value) for f in fields] == expected
        assert all(f.span.file == record.path for f in fields)
    assert 1 <= len(record.description) <= 3
    assert 1 <= len(record.organization_description) <= 2


@pytest.mark.parametrize(
    ("name", "n_description", "n_organization"),
    [
        ("GPT-2", 2, 2),
        ("CLIP", 3, 2),
        ("Codex", 3, 2),
        ("LaMDA", 3, 2),
        ("Claude 3", 1, 1),
        ("Github Copilot", 2, 1),
    ],
)
def test_whitespace_only_lines_separate_paragraphs(corpus_records, name, n_description, n_organization):
    record = corpus_records[name]
    assert (len(record.description), len(record.organization_description)) == (n_description, n_organization)
    assert all(
        p.value == p.value.rstrip() and "\n" not in p.value
        for p in record.description + record.organization_description
    )


def test_gpt2_organization_hard_break_removed(corpus_records):
    first, second = corpus_records["GPT-2"].organization_description
    assert first.value.endswith('benefits all of humanity_."')
    assert (first.span.line, second.span.line) == (26, 28)
    assert second.value.startswith("The organization maintains an active research")


# ---------------------------------------------------------------- findings


@pytest.mark.parametrize("name", NORMAL_CARDS)
def test_normal_cards_only_warn_about_ambiguous_dates(corpus_records, name):
    record = corpus_records[name]
    assert not record.has_errors
    assert codes(record) == (["ambiguous-date"] if name in AMBIGUOUS_DATES else [])


def test_claude3_template_gives_only_warnings(corpus_records):
    record = corpus_records["Claude 3"]
    assert not record.has_errors
    assert all(f.severity is Severity.WARNING and f.file == record.path for f in record.findings)
    assert sorted(f.line for f in record.findings if f.code == "invalid-link") == [5, 7, 12, 15]
    assert [f.line for f in record.findings if f.code == "ambiguous-date"] == [11]
    # the one missing field is Input/Output Format
    assert [f.code for f in record.findings if f.code == "missing-field"] == ["missing-field"]
    assert set(codes(record)) == {"invalid-link", "ambiguous-date", "missing-field"}
    # placeholder targets are kept as written, without a url (README 1.14)
    assert record.dataset.value.text.startswith("Dataset X is a text dataset containing 1T tokens")
    assert record.dataset.value.links == (Link("Dataset X", "link-to-the-dataset-paper-or-repo", None),)
    organization = record.organization.value
    assert (organization.name, organization.type_label) == ("Organization Name", "Public Company")
    assert organization.link == Link("Organization Name", "link-to-their-home-page", None)
    assert record.publication.value.url is None


# ---------------------------------------------------------------- the mis-encoded seed card


def test_seed_is_repaired_with_a_warning(seed_record):
    assert seed_record.path == str(SEED)
    assert seed_record.sha256 == sha256_of(SEED)  # hash of the bytes as stored, before repair
    assert seed_record.encoding_repaired is True
    assert values(seed_record.modality_badges) == ("📚",)
    assert codes(seed_record) == ["encoding-repaired"]
    assert seed_record.findings[0].severity is Severity.WARNING
    assert seed_record.findings[0].file == str(SEED)


def test_seed_text_equals_the_code_llama_card(corpus_records, seed_record):
    real = corpus_records["Code Llama"]
    compared = [
        f.name
        for f in dataclasses.fields(real)
        if f.name not in {"path", "sha256", "format", "encoding_repaired", "findings"}
    ]
    for attr in compared:
        ours, theirs = getattr(seed_record, attr), getattr(real, attr)
        if isinstance(theirs, tuple):
            assert [(f.value, f.span.line) for f in ours] == [(f.value, f.span.line) for f in theirs], attr
        else:
            assert (ours.value, ours.span.line) == (theirs.value, theirs.span.line), attr
