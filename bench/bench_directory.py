"""Directory search with 100,000 contacts: the service and the lazy model against a floor.

    .venv/bin/python bench/bench_directory.py [--people 100000]

The floor is the store's raw SQL for the same match (one LIKE over the search column, no
ordering, no joins), measured in the same run. Each figure is the median of several runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from nxcommand import contacts, org  # noqa: E402
from nxcommand.demo import load_demo  # noqa: E402
from nxcommand.store import open_db  # noqa: E402
from nxcommand.text import like_pattern  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国华明志强伟芳秀英敏静丽军平刚桂兰玉海波辉红霞德林燕春晓东文斌俊杰宇鹏飞云峰涛超宏亮成新荣"
QUERIES = ["", "zjz", "张", "李明", "应急管理局", "带班领导", "1390000", "0751-555", "乌迳 灾害信息员"]


def build(path: Path, people: int) -> None:
    db = open_db(path, create=True)
    load_demo(db)
    rng = random.Random(7)
    units = org.organizations(db)
    terms = {u["id"]: contacts.org_terms(db, u["id"]) for u in units}
    rows = []
    for n in range(people):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        unit = rng.choice(units)
        record = {"name": name, "post": rng.choice(["科员", "值班员", "主任", "副局长", "网格员"]),
                  "roles": [], "mobile": f"137{n:08d}", "office_phone": None}
        sort_key, key = contacts.search_key(record, terms[unit["id"]])
        rows.append((name, unit["id"], record["post"], record["mobile"], sort_key, key))
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO people (name, org_id, post, mobile, sort_key, search_key, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, '2026-01-01', '2026-01-01')", rows)
    db.close()


def median_ms(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        start = time.perf_counter()
        build(path, args.people)
        print(f"built {args.people:,} extra contacts in {time.perf_counter() - start:.1f} s")
        db = open_db(path)
        from PySide6.QtWidgets import QApplication

        from ui.contact_model import ContactTableModel

        QApplication.instance() or QApplication([])
        model = ContactTableModel(db)

        print(f"{'query':<16}{'hits':>8}{'floor ms':>10}{'search ms':>11}{'ratio':>7}{'model ms':>10}{'ratio':>7}")
        for text in QUERIES:
            if text:
                term = like_pattern(text.split()[0].replace("-", "").lower())
                floor = median_ms(lambda: db.execute(
                    "SELECT id FROM people WHERE search_key LIKE ? ESCAPE '\\'", [term]).fetchall())
            else:  # the whole directory, unfiltered
                floor = median_ms(lambda: db.execute("SELECT id FROM people").fetchall())
            query = contacts.Query(text=text)
            hits = len(contacts.search(db, query))
            service = median_ms(lambda: contacts.search(db, query))

            def model_first_screen():
                model.set_query(query)
                for row in range(min(30, model.rowCount())):
                    model.data(model.index(row, 0))

            shown = median_ms(model_first_screen)
            print(f"{text or '（全部）':<16}{hits:>8}{floor:>10.1f}{service:>11.1f}{service / floor:>7.2f}"
                  f"{shown:>10.1f}{shown / floor:>7.2f}")
        db.close()


if __name__ == "__main__":
    main()
