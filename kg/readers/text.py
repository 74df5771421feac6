"""Turn a card file's bytes into clean text: BOM, line endings, invalid UTF-8 and mojibake.

Mojibake (UTF-8 decoded as cp1252 and encoded again, so 📚 becomes `ðŸ“š`) is repaired with ftfy, which
knows far more encodings and edge cases than a table of ours would. ftfy costs about a millisecond per
card, so it runs only on text where a cheap pattern for cp1252/latin-1 mojibake matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ftfy

_BOM = "\ufeff"
# A UTF-8 lead byte (Â..ô as cp1252/latin-1) followed by a continuation byte as cp1252/latin-1 shows it.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]"
)


@dataclass(frozen=True, slots=True)
class DecodedText:
    """The lines of a card, and what had to be done to get them."""

    lines: list[str]
    repaired_line: int | None
    """1-based line of the first repaired character, or None when nothing was repaired."""


class UndecodableError(ValueError):
    """The bytes are not UTF-8. `line` is the 1-based line of the first bad byte."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


def decode_card_bytes(data: bytes) -> DecodedText:
    """Decode UTF-8 (BOM optional), normalize CRLF/CR to LF and repair mojibake."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise UndecodableError(line, f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})") from None
    if text.startswith(_BOM):
        text = text[1:]
    lines = text.splitlines()
    repaired_line = None
    if _MOJIBAKE_HINT.search(text):
        fixed = ftfy.fix_encoding(text)
        if fixed != text:
            fixed_lines = fixed.splitlines()
            repaired_line = next(
                (i for i, (a, b) in enumerate(zip(lines, fixed_lines, strict=False), start=1) if a != b), 1
            )
            lines = fixed_lines
    return DecodedText(lines, repaired_line)
