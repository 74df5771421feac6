"""Word lists and weighted value tables for the synthetic corpus.

The weights are the counts seen in the 36 Model Library cards of the shared corpus (see its README,
section 1), with a small share for values the format allows but the corpus does not use yet (ranges, M/T
sizes, the two unused risks, more research fields and organization types), so the reader's rarer paths
are exercised too. The prose is built from these word lists, never copied from the corpus.
"""

from __future__ import annotations

# (value, weight). Counts from the corpus; the low weights are allowed-but-unseen values.
IO_FORMATS: tuple[tuple[str, str, int], ...] = (
    # (Input/Output Format, emoji badges after the Name link, weight)
    ("Text", "📚", 22),
    ("Text, Image", "📚🖼️", 10),
    ("Audio", "📢", 1),
    ("Text, Audio", "📢📚", 1),
    ("Biological Data", "🧬", 1),
    ("Text", "📚🕹️", 1),
)
RESEARCH_FIELDS: tuple[tuple[str, int], ...] = (
    ("Natural Language Processing", 17),
    ("Computer Vision, Natural Language Processing", 9),
    ("Reinforcement Learning, Natural Language Processing", 5),
    ("Natural Language Processing, Speech Recognition", 2),
    ("Reinforcement Learning, Computer Vision, Natural Language Processing", 1),
    ("Pattern Recognition, Forecasting", 1),
    ("Deep Learning, Natural Language Processing", 1),
    ("Computer Vision", 1),
    ("Machine Learning, Information Retrieval", 1),
    ("Robotics, Reinforcement Learning", 1),
)
LICENSES: tuple[tuple[str, int], ...] = (
    ("Proprietary License", 18),
    ("Apache 2.0 License", 5),
    ("MIT License", 4),
    ("LLaMA 2 Community License Agreement", 3),
    ("CC BY-NC-SA 4.0", 2),
    ("BigScience RAIL License", 1),
    ("BB3-175B License", 1),
    ("OPT-175B License", 1),
    ("MIT License*", 1),
    ("GPL 3.0 License", 1),
)
# The 11 risks of risks_list.md with their use counts; "Intelectual Fraud" is the list's own spelling.
RISKS: tuple[tuple[str, int], ...] = (
    ("Algorithmic Discrimination", 35),
    ("Environmental Impacts", 35),
    ("Disinformation", 29),
    ("Social Engineering", 21),
    ("Technological Unemployment", 20),
    ("Malware Development", 9),
    ("Intelectual Fraud", 7),
    ("Surveillance and Social Control", 2),
    ("Biological Risks", 1),
    ("Impacts on Mental Health", 1),
    ("Bodily Harm", 1),
)
ORG_TYPES: tuple[tuple[str, int], ...] = (
    ("Non-profit", 17),
    ("Public Company", 9),
    ("Subsidiary", 8),
    ("Academic/Research Institution", 2),
    ("Independent Research Lab", 1),
    ("Private Company", 2),
    ("Startup", 2),
    ("University", 1),
)
COUNTRIES: tuple[tuple[str, int], ...] = (
    ("United States of America", 30),
    ("France", 2),
    ("United Kingdom", 2),
    ("Germany", 1),
    ("Canada", 1),
    ("China", 2),
    ("Japan", 1),
    ("Israel", 1),
    ("Switzerland", 1),
    ("India", 1),
)
# Model sizes: the corpus's single values (B suffix, decimals); ranges and M/T come from INSTRUCTIONS.md.
SIZES: tuple[str, ...] = (
    "175B", "12B", "3.5B", "20B", "70B", "6B", "65B", "540B", "3B", "34B", "2.7B", "176B", "15B", "14B",
    "137B", "120B", "12.8B", "1.5B", "1.55B", "7B", "13B", "1.3B", "350M", "770M", "125M", "1.2T",
)  # fmt: skip
RANGES: tuple[str, ...] = ("70M - 20B", "125M - 120B", "7B - 70B", "350M - 20B", "1B - 13B", "3B - 175B")

TOKEN_UNITS = ("B tokens", " billion tokens", "T tokens", " trillion tokens")
BYTE_UNITS = ("GB", " GB", "TB")
RECORD_UNITS = ("M images", " million text-image pairs", ",000 hours of labeled audio", "M protein sequences")

NAME_HEADS: tuple[str, ...] = (
    "Aurora", "Basalt", "Cinder", "Delta", "Ember", "Fjord", "Garnet", "Helix", "Iris", "Juniper", "Kestrel",
    "Lumen", "Meridian", "Nimbus", "Onyx", "Prism", "Quartz", "Raven", "Sable", "Tundra", "Umbra", "Vortex",
    "Willow", "Xenon", "Yarrow", "Zephyr", "Atlas", "Beacon", "Cobalt", "Dune", "Echo", "Falcon", "Granite",
    "Harbor", "Ion", "Jade", "Krypton", "Lattice", "Mosaic", "Nova", "Orchid", "Pulsar", "Quill", "Ridge",
    "Sierra", "Tessel", "Unity", "Vesper", "Wren", "Yonder", "Zenith", "Alder", "Birch", "Cedar", "Dahlia",
    "Elm", "Fern", "Gale", "Heron", "Indigo", "Jasper", "Kelp", "Lark", "Maple", "Nectar", "Opal", "Pine",
    "Quasar", "Rook", "Spruce", "Thistle", "Upland", "Vale", "Wisp", "Yew", "Zinnia", "Argon", "Boron",
    "Cerium", "Dyson", "Ester", "Flint", "Gneiss", "Halcyon", "Ibis", "Jolt", "Koi", "Loom", "Mistral",
)  # fmt: skip
NAME_TAILS: tuple[str, ...] = (
    "", "LM", "GPT", "Coder", "Vision", "Chat", "Diffusion", "Voice", "Fold", "Instruct", "Net", "Former",
    "Gen", "Mind", "Speech", "Seq", "Pix", "Tab", "Math", "Bio", "Agent", "Lens", "Sketch", "Tune",
)  # fmt: skip
NAME_VERSIONS: tuple[str, ...] = ("", "", "", " 2", " 3", "-XL", " 1.5", "-Large", " Mini", "-7B", " 4", " Pro")

ORG_STEMS: tuple[str, ...] = (
    "Arclight", "Bluefin", "Corvid", "Deepwell", "Everest", "Farsight", "Goldleaf", "Highline", "Ironwood",
    "Keystone", "Lodestar", "Moonrise", "Northwind", "Oakridge", "Polaris", "Redshift", "Silverline",
    "Trident", "Upstream", "Vantage", "Westgate", "Yellowstone", "Zeroth", "Anvil", "Brightpath", "Clearwater",
    "Driftwood", "Evergreen", "Firefly", "Greystone", "Hollowell", "Inkwell", "Jetstream", "Kingfisher",
    "Longbow", "Marigold", "Nightjar", "Outlier", "Pinecone", "Quarry", "Riverbend", "Stonebridge",
    "Thornbury", "Undertow", "Vireo", "Waypoint", "Yardarm", "Zodiac", "Amberly", "Bramble",
)  # fmt: skip
ORG_SUFFIXES: tuple[str, ...] = (
    " AI", " Labs", " Research", " Inc.", ", Inc.", " Foundation", " Institute", " Collective", " Systems",
    " Intelligence", " Group", " Technologies",
)  # fmt: skip

ADJECTIVES: tuple[str, ...] = (
    "large", "compact", "multilingual", "open", "efficient", "robust", "sparse", "dense", "generative",
    "contrastive", "autoregressive", "instruction-tuned", "distilled", "modular", "scalable", "general",
    "specialized", "lightweight", "bidirectional", "conditional", "hierarchical", "retrieval-augmented",
)  # fmt: skip
NOUNS: tuple[str, ...] = (
    "model", "architecture", "encoder", "decoder", "corpus", "benchmark", "tokenizer", "checkpoint",
    "objective", "pipeline", "dataset", "evaluation", "baseline", "system", "framework", "prompt", "policy",
    "representation", "embedding", "vocabulary", "transformer", "agent", "release", "license", "team",
)  # fmt: skip
VERBS: tuple[str, ...] = (
    "improves", "extends", "matches", "outperforms", "combines", "reduces", "supports", "enables", "targets",
    "evaluates", "compresses", "aligns", "generalizes", "filters", "ranks", "summarizes", "translates",
)  # fmt: skip
TOPICS: tuple[str, ...] = (
    "question answering", "code completion", "image synthesis", "speech transcription", "protein folding",
    "dialogue", "summarization", "machine translation", "text-to-image generation", "reasoning",
    "information extraction", "music generation", "game playing", "document retrieval", "captioning",
)  # fmt: skip
CONNECTIVES: tuple[str, ...] = (
    "According to its developers,", "In addition,", "However,", "As a result,", "Compared with earlier work,",
    "During training,", "For evaluation,", "In practice,", "Notably,", "At release,",
)  # fmt: skip
DATASET_NAMES: tuple[str, ...] = (
    "Common Shards", "OpenWeb Mix", "Stack Corpus", "Caption Pairs 400M", "Lingua Books", "Wiki Dumps",
    "Speech Hours", "Protein Atlas", "Code Commons", "Dialog Threads", "News Crawl", "Math Proofs",
    "Science Papers", "Image Alt-Text", "Patent Texts", "Forum Archive", "Subtitle Corpus", "Legal Texts",
    "Recipe Web", "Game Replays",
)  # fmt: skip
LINK_HOSTS: tuple[str, ...] = (
    "https://arxiv.org/abs/", "https://huggingface.co/", "https://github.com/", "https://openreview.net/forum?id=",
)  # fmt: skip
