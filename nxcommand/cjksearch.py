"""Chinese full-text search keys for SQLite FTS5: text -> index string, query -> MATCH.

Pure functions, no database code, so any register (duty log, events …) can use them.

Why not a stock tokenizer: FTS5's ``unicode61`` keeps a whole run of Chinese characters as
one token (so 山火 is not found inside 发生山火), and ``trigram`` cannot find words of one
or two characters, which are most Chinese search words (火, 山火, 滑坡).

The design, measured in ``bench/bench_dutylog.py``:

- The text is folded (full-width digits and letters to ASCII, lower case) and cut into
  *runs*: maximal stretches of letters and digits (Unicode categories L and N, i.e.
  ``str.isalnum``). Everything else - spaces, punctuation such as ，。、（）, symbols -
  separates runs. Chinese and ASCII share runs, so G323国道 is one run.
- Each run of n characters is indexed as its n-1 overlapping bigrams followed by its final
  character alone: 森林火灾 -> ``森林 林火 火灾 灾``. Runs are joined with spaces.
- A query term of two or more characters becomes the phrase of its consecutive bigrams
  (``"森林 林火 火灾"``): consecutive positions inside one run, so a hit is exactly a
  substring, never a match across punctuation. A one-character term becomes a prefix
  query (``"火" *``): every occurrence of a character starts a bigram or is the final
  character of its run. The table keeps a one-character prefix index (``prefix='1'``), so
  that prefix query reads one doclist instead of merging hundreds.
- Query text is cut into terms the same way, and all terms must match (AND). Punctuation in
  a query therefore separates terms: 山火，滑坡 finds entries with both words.
- The table uses FTS5's ``ascii`` tokenizer: it splits on ASCII spaces and punctuation only
  and folds A-Z, so the tokens are exactly the strings made here. That keeps the matching
  rules in this module rather than in the Unicode tables of whichever SQLite is installed.
- ``tag(name, value)`` makes filter tokens (kind, town, event …) that share the index with
  the text. They start with U+00A7 (a separator for runs), so no typed text can produce one,
  and a filter combined with text is one FTS intersection instead of a row-by-row check.

The table holds only the index (``content=''``); rows are looked up by rowid.

Measured with 1,000,000 duty-log entries (``bench/bench_dutylog.py``, warm cache): count
plus first page for 火 (137,000 hits) 9 ms, 山火 4 ms, 森林火灾 10 ms, G323 9 ms. Without the
one-character prefix index the raw 火 query took 55 ms instead of 6 ms, for an index of
257 MB instead of 477 MB. Phrases of bigrams were chosen over unigram AND queries (wrong hits
such as 山…火) and over ``trigram`` (no words of one or two characters); a LIKE scan of the
same 1,000,000 rows takes some 440 ms per count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .text import normalize

#: FTS5 options for a table searched with this module, e.g.
#: ``CREATE VIRTUAL TABLE x_fts USING fts5(body, content='', tokenize='ascii', prefix='1')``:
#: the index only, no second copy of the text.
FTS5_OPTIONS = "content='', tokenize='ascii', prefix='1'"

TAG_MARK = "\u00a7"  # the section sign: not a run character, so user text never makes a tag


_RUN = re.compile(r"[^\W_]+")  # letters and digits: exactly the characters where str.isalnum()
# Folded before str.lower(), which gives the dotted capital I two characters and the Greek
# capital sigma a form that depends on its neighbours (final sigma).
_PRE_FOLD = str.maketrans({"\u0130": "i", "\u03a3": "\u03c3", "\u03c2": "\u03c3"})


def runs(text: str | None) -> list[str]:
    """The folded runs of letters and digits in ``text``, in order."""
    return _RUN.findall(normalize(text).translate(_PRE_FOLD).lower())


def _run_tokens(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)] + [run[-1]]


def index_text(*parts: str | None) -> str:
    """The FTS body for a record whose searchable fields are ``parts``."""
    tokens: list[str] = []
    for part in parts:
        for run in runs(part):
            tokens.extend(_run_tokens(run))
    return " ".join(tokens)


def tag(name: str, value: object) -> str:
    """A filter token such as ``tag("k", 3)``; ``name`` and ``value`` must be ASCII words."""
    token = f"{name}{value}"
    if not token.isascii() or not token.isalnum():
        raise ValueError(f"a tag must be an ASCII word: {token!r}")
    return TAG_MARK + token.lower()


def document(parts: Iterable[str | None], tags: Iterable[str] = ()) -> str:
    """The FTS body: the parts' index text followed by the record's filter tags."""
    return " ".join(t for t in (index_text(*parts), *tags) if t)


def terms(query: str | None) -> list[str]:
    """The distinct search terms of a typed query, in order."""
    return list(dict.fromkeys(runs(query)))


def _term_expression(term: str) -> str:
    if len(term) == 1:
        return f'"{term}" *'
    return '"' + " ".join(_run_tokens(term)[:-1]) + '"'


def match_expression(query: str | None, tags: Iterable[str] = ()) -> str | None:
    """The FTS5 MATCH expression for a typed query and required tags; None matches all."""
    parts = [_term_expression(t) for t in terms(query)] + [f'"{t}"' for t in tags]
    return " AND ".join(parts) if parts else None


def matches(query: str | None, text: str) -> bool:
    """What the index answers, computed directly: every term is a substring of a run."""
    haystack = runs(text)
    return all(any(term in run for run in haystack) for term in terms(query))
