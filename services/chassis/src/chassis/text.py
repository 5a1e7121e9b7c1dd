"""Text normalisation shared by every service: NFC, collapsed spaces, diacritic-free search keys."""

from __future__ import annotations

import unicodedata

from unidecode import unidecode


def normalise(value: str) -> str:
    """NFC with collapsed whitespace: Excel and old systems often send decomposed Vietnamese."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def search_key(value: str) -> str:
    """Lower-case, diacritics removed, so "nguyen van an" finds "Nguyễn Văn An" ("đ" becomes "d")."""
    return unidecode(normalise(value)).lower()
