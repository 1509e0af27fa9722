"""The case list's search key: one folded string per case, as `orgs.search` keeps for people,
organisations and areas, so that simplified, traditional, full pinyin and pinyin initials all
match with one `LIKE '%word%'`.

The key is `orgs.search.search_key` of the title and the point's name (simplified text, full
pinyin, initials), then the simplified reporter's address and description. It is set by
`Case.save()` whenever one of those fields is written (`SEARCH_FIELDS`), so every way a case
is created or edited keeps it current; the benchmark generator (`juli.benchdata`) writes the
same key with its rows.
"""

from __future__ import annotations

from juli.orgs.search import normalise_query, search_key, simplify

#: The fields the key is made of: writing one of them rewrites the key.
SEARCH_FIELDS = frozenset({"title", "description", "reporter_address", "point"})


def case_search_key(title: str, point_name: str, address: str, description: str) -> str:
    head = search_key(f"{title} {point_name}".strip())
    tail = simplify(f"{address} {description}")
    return f"{head}|{tail}" if tail else head


def query_key(word: str) -> str:
    """A word as typed, in the form keys are stored in."""
    return normalise_query(word)
