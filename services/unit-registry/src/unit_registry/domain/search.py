"""Name search tokens: every character and every pair of adjacent characters of each name.

PostgreSQL's trigram index cannot serve 1- or 2-character patterns, and Chinese searches are often two
characters (和平, 加油). A text[] column of unigrams and bigrams with a GIN index answers any fragment
by array containment: a fragment's tokens are all contained in the tokens of a name that contains it.
For fragments of three or more characters containment is necessary, not sufficient, so the query
rechecks with LIKE on the (already few) candidate rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_QUERY_LENGTH = 50


def normalise_search_text(text: str) -> str:
    """Fold full-width forms (NFKC), case and white space away, so queries match however typed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(folded.split())


def _tokens_of(text: str) -> set[str]:
    normalised = normalise_search_text(text)
    tokens = set(normalised)
    tokens.update(normalised[i : i + 2] for i in range(len(normalised) - 1))
    return tokens


def search_tokens(names: Iterable[str]) -> list[str]:
    """The sorted unigrams and bigrams of each name (never across two names)."""
    tokens: set[str] = set()
    for name in names:
        tokens |= _tokens_of(name)
    return sorted(tokens)


def search_text(names: Iterable[str]) -> str:
    """The normalised names joined by a separator no fragment contains, for the LIKE recheck."""
    return "\n".join(normalise_search_text(name) for name in names)


def query_tokens(fragment: str) -> list[str]:
    """The tokens a name must contain to contain `fragment`: its one character, or its bigrams."""
    normalised = normalise_search_text(fragment)
    if len(normalised) <= 1:
        return [normalised] if normalised else []
    return sorted({normalised[i : i + 2] for i in range(len(normalised) - 1)})
