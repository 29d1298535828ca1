"""Letters of other alphabets that look like Latin ones: a Cyrillic х is a different name
from x, and a message that lists names should say so, or "missing: х" reads as nonsense.

Only letters a person is unlikely to have meant as themselves are listed (Greek α, θ, σ, μ are
used on purpose and are not here).
"""

from __future__ import annotations

import unicodedata

#: letter → the Latin letter it passes for
LATIN_LOOKALIKES = {
    # Cyrillic
    "а": "a", "в": "B", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ь": "b",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
    # Greek capitals and omicron
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o",
}


def _letter(ch: str) -> str:
    """'х' → 'the Cyrillic letter ha'; 'Χ' → 'the Greek capital letter chi'."""
    words = unicodedata.name(ch).split()
    capital = "capital " if "CAPITAL" in words else ""
    return f"the {words[0].title()} {capital}letter {words[-1].lower()} (U+{ord(ch):04X})"


def lookalike_note(name: str) -> str | None:
    """A sentence naming each lookalike letter in ``name``, or None if it has none."""
    parts = []
    for ch in dict.fromkeys(name):
        latin = LATIN_LOOKALIKES.get(ch)
        if latin is not None:
            where = f"{ch}" if name == ch else f"the {ch} in {name}"
            parts.append(f"{where} is {_letter(ch)}, not the Latin {latin}")
    if not parts:
        return None
    return "; ".join(parts) + " — retype it if you meant the Latin letter"


def with_lookalike_notes(message: str, names) -> str:
    """``message`` followed by a note for each listed name that has lookalike letters."""
    notes = [note for note in (lookalike_note(n) for n in names) if note]
    return message + (" (" + "; ".join(notes) + ")" if notes else "")
