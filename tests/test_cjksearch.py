"""Chinese search keys: the pure functions, and what an FTS5 table built from them finds."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nxcommand import cjksearch
from nxcommand.cjksearch import document, index_text, match_expression, matches, runs, tag, terms


def fts(texts: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, {cjksearch.FTS5_OPTIONS})")
    conn.executemany("INSERT INTO t (rowid, body) VALUES (?, ?)",
                     [(i, index_text(text)) for i, text in enumerate(texts, start=1)])
    return conn


def hits(conn: sqlite3.Connection, query: str, tags=()) -> list[int]:
    expression = match_expression(query, tags)
    if expression is None:
        return [r[0] for r in conn.execute("SELECT rowid FROM t ORDER BY rowid")]
    return [r[0] for r in conn.execute(
        "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid", [expression])]


def test_runs_fold_width_and_case_and_split_on_punctuation():
    assert runs("Ｇ３２３国道，乌迳镇（新田村）　13900001234。") == ["g323国道", "乌迳镇", "新田村", "13900001234"]
    assert runs("") == runs(None) == runs("，。、 ！") == []


def test_index_text_is_bigrams_plus_the_last_character_of_each_run():
    assert index_text("森林火灾") == "森林 林火 火灾 灾"
    assert index_text("山火，火") == "山火 火 火"
    assert index_text("G323国道", "备注") == "g3 32 23 3国 国道 道 备注 注"


def test_query_terms_become_phrases_and_single_characters_prefixes():
    assert match_expression("火") == '"火" *'
    assert match_expression("山火") == '"山火"'
    assert match_expression("森林火灾") == '"森林 林火 火灾"'
    assert match_expression("滑坡，乌迳 滑坡") == '"滑坡" AND "乌迳"'
    assert match_expression("") is None and match_expression("，。") is None
    assert match_expression("", [tag("k", 3)]) == '"\u00a7k3"'


def test_tags_are_ascii_words_that_no_text_can_produce():
    assert tag("t", 17) == "\u00a7t17"
    with pytest.raises(ValueError):
        tag("k", "a b")
    assert terms("\u00a7k3") == ["k3"]          # typed, the mark is a separator
    conn = fts([])
    conn.execute("INSERT INTO t (rowid, body) VALUES (1, ?)", [document(["文本"], [tag("k", 3)])])
    conn.execute("INSERT INTO t (rowid, body) VALUES (2, ?)", [document(["k3"], [tag("k", 4)])])
    assert hits(conn, "", [tag("k", 3)]) == [1]
    assert hits(conn, "k3") == [2]


CORPUS = [
    "乌迳镇新田村后山发生山火，火势较大",          # 1
    "帽子峰镇发生森林火灾，已组织扑救",             # 2
    "澜河镇G323国道发生道路交通事故",              # 3
    "油山镇村民来电（13900001234）：山体滑坡",      # 4
    "气象局发布暴雨预警。内涝风险高",               # 5
    "火",                                          # 6
]


@pytest.mark.parametrize("query, expected", [
    ("火", [1, 2, 6]),                 # one character, also alone and at the end of a run
    ("山火", [1]),
    ("森林火", [2]),
    ("森林火灾", [2]),
    ("火灾", [2]),
    ("滑坡", [4]),                     # at the end of the text
    ("乌迳", [1]),                     # at the start
    ("火势", [1]),                     # after punctuation
    ("山火火势", []),                  # never across punctuation
    ("预警内涝", []),
    ("g323", [3]), ("G323", [3]), ("Ｇ３２３", [3]), ("323", [3]), ("G323国道", [3]),
    ("13900001234", [4]), ("1234", [4]), ("0000", [4]),
    ("山火 乌迳", [1]), ("火 镇", [1, 2]), ("滑坡 山火", []),   # every term must match
    ("暴雨，内涝", [5]),
    ("水灾", []),
])
def test_the_index_finds_exactly_the_substrings(query, expected):
    conn = fts(CORPUS)
    assert hits(conn, query) == expected
    assert [i for i, text in enumerate(CORPUS, start=1) if matches(query, text)] == expected


# Text drawn mostly from the characters a duty log holds, with some of everything else.
CHARS = st.sampled_from(list("山火灾森林滑坡乌迳镇道路事故来电预警内涝") + list("Gg3210")
                        + list("，。、：（）“” -/") + list("Ａ１２"))
TEXT = st.lists(st.one_of(CHARS, CHARS, CHARS, st.characters(blacklist_categories=("Cs",))),
                min_size=1, max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, data=st.data())
def test_any_substring_of_1_to_6_characters_finds_the_text(text, data):
    length = data.draw(st.integers(1, min(6, len(text))))
    start = data.draw(st.integers(0, len(text) - length))
    query = text[start:start + length]
    conn = fts(["无关的记录", text])
    assert 2 in hits(conn, query)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(TEXT, min_size=1, max_size=6), query=TEXT)
def test_the_index_answers_what_substring_matching_answers(texts, query):
    assume(terms(query))
    conn = fts(texts)
    expected = [i for i, text in enumerate(texts, start=1) if matches(query, text)]
    assert hits(conn, query) == expected
