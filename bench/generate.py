"""Synthetic Model Library cards for the benchmarks: `python -m bench.generate N OUT_DIR [--seed S]`.

Real corpora are small (36 cards), and the targets are about 100,000, so the benchmark makes its own
cards. Values follow the shared corpus's distributions (`bench/words.py`); prose comes from word lists.
Each card draws from its own random stream (seeded by seed and index), so the same seed gives
byte-identical files and the first 1,000 cards of a 10,000-card corpus are the 1,000-card corpus.
About 200 organizations are shared across cards with a skewed popularity, as in the real library.
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass
from pathlib import Path

from bench import words as w

ORGANIZATIONS = 200


@dataclass(frozen=True, slots=True)
class Organization:
    name: str
    homepage: str
    type_label: str
    country: str
    description: tuple[str, str]


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in table], weights=[n for _, n in table])[0]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _sentence(rng: random.Random, subject: str) -> str:
    adj, adj2 = rng.sample(w.ADJECTIVES, 2)
    noun, noun2 = rng.sample(w.NOUNS, 2)
    topic = rng.choice(w.TOPICS)
    verb = rng.choice(w.VERBS)
    form = rng.randrange(6)
    if form == 0:
        text = f"{subject} {verb} the {adj} {noun} on {topic} with a {adj2} {noun2}."
    elif form == 1:
        text = f"{rng.choice(w.CONNECTIVES)} the {adj} {noun} {verb} {adj2} {noun2}s used for {topic}."
    elif form == 2:
        text = f'Its {noun} "_{verb} every {adj} {noun2} for {topic}_", as the authors put it.'
    elif form == 3:
        host = rng.choice(w.LINK_HOSTS)
        text = f"A [{adj} {noun}]({host}{_slug(subject)}-{noun}) {verb} {topic} for {adj2} {noun2}s."
    elif form == 4:
        text = f"{rng.choice(w.CONNECTIVES)} {subject} was trained with a {adj} {noun} on {rng.randint(8, 4096)} GPUs."
    else:
        text = f"The {noun} {verb} {topic}, and the {adj2} {noun2} is {rng.choice(('public', 'internal', 'gated'))}."
    return text[0].upper() + text[1:]


def _paragraph(rng: random.Random, subject: str, sentences: int, lead: str = "") -> str:
    parts = [lead] if lead else []
    parts += [_sentence(rng, subject) for _ in range(sentences)]
    return " ".join(parts)


def organizations(seed: int) -> list[Organization]:
    """The shared organizations: independent of N, so every corpus size has the same ones."""
    rng = random.Random(f"organizations:{seed}")
    seen: set[str] = set()
    orgs: list[Organization] = []
    while len(orgs) < ORGANIZATIONS:
        name = rng.choice(w.ORG_STEMS) + rng.choice(w.ORG_SUFFIXES)
        if _slug(name) in seen:
            continue
        seen.add(_slug(name))
        homepage = f"https://www.{_slug(name.split(',')[0].split()[0])}{len(orgs)}.org/"
        first = f"[{name.rstrip('.')}]({homepage}) is a {rng.choice(w.ADJECTIVES)} {rng.choice(w.NOUNS)} group."
        description = (
            _paragraph(rng, name, rng.randint(2, 3), first),
            _paragraph(rng, name, rng.randint(1, 2)),
        )
        orgs.append(Organization(name, homepage, _pick(rng, w.ORG_TYPES), _pick(rng, w.COUNTRIES), description))
    return orgs


def _org_weights() -> list[float]:
    """Skewed popularity (one organization made 13 of the 36 real cards)."""
    return [1.0 / (rank + 1) ** 0.9 for rank in range(ORGANIZATIONS)]


def _title(rng: random.Random, taken: set[str]) -> str:
    heads = rng.sample(w.NAME_HEADS, 2)
    head = heads[0] if rng.random() < 0.4 else f"{heads[0]}-{heads[1]}"
    title = head + rng.choice(w.NAME_TAILS) + rng.choice(w.NAME_VERSIONS)
    base, n = title, 2
    while _slug(title) in taken:
        title, n = f"{base} r{n}", n + 1
    taken.add(_slug(title))
    return title


def _size(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 8 / 36:
        return "Not specified"
    if roll < 8 / 36 + 0.05:
        return rng.choice(w.RANGES)
    return rng.choice(w.SIZES)


def _dataset(rng: random.Random, title: str) -> str:
    roll = rng.random()
    name = rng.choice(w.DATASET_NAMES)
    url = f"https://huggingface.co/datasets/{_slug(name)}"
    amount = f"{rng.randint(1, 999)}{rng.choice(w.TOKEN_UNITS + w.BYTE_UNITS + w.RECORD_UNITS)}"
    topic = rng.choice(w.TOPICS)
    if roll < 0.14:
        return "Not specified"
    if roll < 0.39:
        return f"[{name}]({url})"
    if roll < 0.79:
        return f"{amount} of {rng.choice(w.ADJECTIVES)} {topic} data from public sources"
    if roll < 0.94:
        return f"{amount} drawn from the [{name}]({url}) collection and {rng.choice(w.ADJECTIVES)} web documents"
    if roll < 0.99:
        return f"Pretraining dataset: {amount} of web text. Fine-tuning dataset: {title} {topic} demonstrations"
    other = rng.choice(w.DATASET_NAMES)
    return f"[{name}]({url}), [{other}](https://huggingface.co/datasets/{_slug(other)}) and internal {topic} data"


def _risks(rng: random.Random) -> str:
    names = [v for v, _ in w.RISKS]
    weights = [float(n) for _, n in w.RISKS]
    count = rng.choices(range(1, 8), weights=(1, 6, 10, 9, 6, 3, 1))[0]
    chosen: list[str] = []
    while len(chosen) < count:
        risk = rng.choices(names, weights=weights)[0]
        if risk not in chosen:
            chosen.append(risk)
    text = ", ".join(chosen)
    return f"☣️ {text} ☣️" if rng.random() < 0.01 else text


def card_text(index: int, seed: int, orgs: list[Organization], taken: set[str]) -> tuple[str, str]:
    """(title, Markdown) of card `index`. `taken` holds the slugs of earlier titles, to keep titles distinct."""
    rng = random.Random(f"card:{seed}:{index}")
    title = _title(rng, taken)
    org = rng.choices(orgs, weights=_org_weights())[0]
    io, badges, _ = w.IO_FORMATS[rng.choices(range(len(w.IO_FORMATS)), weights=[n for *_, n in w.IO_FORMATS])[0]]
    year = rng.randint(2018, 2024)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    url = f"{rng.choice(w.LINK_HOSTS)}{_slug(org.name)}/{_slug(title)}"
    arxiv = f"https://arxiv.org/abs/{year % 100:02d}{month:02d}.{rng.randint(0, 99999):05d}"
    pub_title = f"{title}: {rng.choice(w.ADJECTIVES).capitalize()} {rng.choice(w.NOUNS)}s for {rng.choice(w.TOPICS)}"
    details = [
        f"- Name: [{title}]({url}) {badges}",
        f"- Model Size: {_size(rng)}",
        f"- Dataset: {_dataset(rng, title)}",
        f"- Input/Output Format: {io}",
        f"- Research Field: {_pick(rng, w.RESEARCH_FIELDS)}",
        f"- Contains an Impact Assessment: {'Yes' if rng.random() < 30 / 36 else 'No'}",
        f"- Associated Risks: {_risks(rng)}",
        f"- Date of Publication: {month}/{day}/{year}",
        f"- Organization: [{org.name}]({org.homepage}) ({org.type_label})",
        f"- Country/Origin: {org.country}",
        f"- License: {_pick(rng, w.LICENSES)}",
        f"- Publication: [{pub_title}]({arxiv})",
    ]
    if rng.random() < 0.01:  # like Claude 3.md: no Input/Output Format line (a missing-field warning)
        del details[3]
    lead = (
        f"[{title}]({url}) is a {rng.choice(w.ADJECTIVES)} {rng.choice(w.NOUNS)} developed by {org.name.rstrip('.')}."
    )
    description = [_paragraph(rng, title, rng.randint(3, 5), lead)]
    description += [_paragraph(rng, title, rng.randint(2, 4)) for _ in range(2)]
    lines = [f"# {title}", "", "## Model Details", "", *details, "", "## Description", ""]
    lines += _join_paragraphs(rng, description)
    lines += ["", "## Organization", ""]
    lines += _join_paragraphs(rng, list(org.description))
    return title, "\n".join(lines) + "\n"


def _join_paragraphs(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """Paragraphs separated by an empty line or, as in 30 real cards, a line of two spaces after a hard break."""
    out: list[str] = []
    for i, text in enumerate(paragraphs):
        if i:
            spaced = rng.random() < 0.3
            out[-1] += "  " if spaced else ""
            out.append("  " if spaced else "")
        out.append(text)
    return out


def generate(count: int, out_dir: str | Path, seed: int = 0) -> list[Path]:
    """Write `count` cards into `out_dir` (created if missing) and return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    orgs = organizations(seed)
    taken: set[str] = set()
    paths = []
    for index in range(count):
        title, text = card_text(index, seed, orgs, taken)
        path = out / f"{title}.md"
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def touch_card(path: Path, revision: int) -> None:
    """Change one card's content (the incremental-rebuild stage): a revision note ends its description."""
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("\n\n## Organization")
    head = re.sub(r" Revised \d+ times\.$", "", head)
    path.write_bytes(f"{head} Revised {revision} times.{sep}{rest}".encode())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of cards")
    parser.add_argument("out_dir", help="folder to write the cards into")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same bytes)")
    args = parser.parse_args(argv)
    paths = generate(args.count, args.out_dir, args.seed)
    print(f"wrote {len(paths)} cards in {args.out_dir}")


if __name__ == "__main__":
    main()
