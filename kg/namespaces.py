"""Namespaces and the IRIs of the project's own vocabulary.

The vocabulary lives under a fixed namespace (`VOCAB`), independent of the `--base` chosen for minted
data IRIs, so that every graph built by anyone shares the same terms. The prefixes below are the ones
written into Turtle output and predeclared for queries.
"""

from __future__ import annotations

from typing import Final

VOCAB: Final = "https://w3id.org/mckg/"
"""Root of the vocabulary: ontology, concept schemes and the software agent."""

ONTOLOGY: Final = VOCAB + "ontology"
MC: Final = ONTOLOGY + "#"
RISK: Final = VOCAB + "risk/"
ORG_TYPE: Final = VOCAB + "organization-type/"
FIELD: Final = VOCAB + "research-field/"
MODALITY: Final = VOCAB + "modality/"
MIT_RISK: Final = VOCAB + "mit-risk/"
SOFTWARE: Final = VOCAB + "software/kg"

DEFAULT_BASE: Final = "https://w3id.org/mckg/id/"
"""Default base IRI for minted data IRIs (models, cards, organizations...)."""

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
PROV: Final = "http://www.w3.org/ns/prov#"
DCTERMS: Final = "http://purl.org/dc/terms/"
SCHEMA: Final = "https://schema.org/"
SPDX: Final = "http://spdx.org/licenses/"
LOC: Final = "https://w3id.org/dpv/loc#"

PREFIXES: Final[dict[str, str]] = {
    "mc": MC,
    "risk": RISK,
    "orgtype": ORG_TYPE,
    "field": FIELD,
    "modality": MODALITY,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "spdx": SPDX,
    "loc": LOC,
    "airo": "https://w3id.org/airo#",
    "vair": "https://w3id.org/vair#",
    "dpv": "https://w3id.org/dpv#",
    "dpvrisk": "https://w3id.org/dpv/risk#",
    "ai": "https://w3id.org/dpv/ai#",
    "tech": "https://w3id.org/dpv/tech#",
    "mitrisk": MIT_RISK,
    "fair4ml": "https://w3id.org/fair4ml#",
    "mls": "http://www.w3.org/ns/mls#",
    "obo": "http://purl.obolibrary.org/obo/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "wd": "http://www.wikidata.org/entity/",
}
