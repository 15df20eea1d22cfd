"""``nxcommand report``: print documents from the command line (reportlab loads only here).

    nxcommand report --list [--db PATH]
    nxcommand report KIND --db PATH --out FILE.pdf [--event ID | --response ID | --date
        YYYY-MM-DD | --handover ID | --meeting ID | --month YYYY-MM | --release ID] [--serial N]

Without an item option the latest applicable item is used (the live response, today, the
latest handover), so a scheduled job can print the morning brief. A missing or wrong item:
a Chinese message, exit 1, no file. An option that does not belong to KIND: exit 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import UserError

# the item options and the kinds' registry keys, mirrored here so argparse knows them without
# importing reportlab (registry.KINDS is the source: tests compare the two)
OPTIONS = {"event": "--event", "duty-daily": "--date", "handover": "--handover",
           "brief": "--response", "meeting": "--meeting", "release": "--release",
           "roster": "--month"}
TITLES = {"event": "突发事件信息报告", "duty-daily": "值班日报", "handover": "交接班记录",
          "brief": "会议情况汇报", "meeting": "会商纪要", "release": "新闻通稿", "roster": "值班表"}
METAVARS = {"--event": "ID", "--response": "ID", "--date": "YYYY-MM-DD", "--handover": "ID",
            "--meeting": "ID", "--month": "YYYY-MM", "--release": "ID"}


def add_parser(sub, db_help: str) -> None:
    kinds = "、".join(f"{k}（{t}）" for k, t in TITLES.items())
    p = sub.add_parser("report", help="生成公文格式的 PDF 文书",
                       description=f"按 GB/T 9704 公文格式生成 PDF 文书。KIND：{kinds}。"
                                   "不指定编号时，生成最新一项（在办响应、今天、最近一次交接班等）。")
    p.add_argument("kind", metavar="KIND", nargs="?", choices=list(TITLES),
                   help="文书类别：" + "、".join(TITLES))
    p.add_argument("--list", action="store_true", help="列出各类文书及可生成的项目")
    p.add_argument("--db", metavar="PATH", dest="sub_db", help=db_help)
    p.add_argument("--out", metavar="FILE.pdf", help="输出 PDF 文件路径")
    for option, metavar in METAVARS.items():
        p.add_argument(option, metavar=metavar, dest=option[2:].replace("-", "_"))
    p.add_argument("--serial", type=int, metavar="N", help="突发事件信息报告：第 N 份书面报告（初报为 1）")


def run(args, path: Path, parser_error) -> int:
    """Run the subcommand; ``parser_error(message)`` exits 2 with the usage."""
    given = [opt for opt in METAVARS if getattr(args, opt[2:]) is not None]
    if args.list:
        if args.kind or given or args.out or args.serial is not None:
            parser_error("--list 不能与文书类别或其他选项同用")
        return _list(path)
    if not args.kind:
        parser_error("请指定文书类别 KIND，或用 --list 查看")
    own = OPTIONS[args.kind]
    wrong = [opt for opt in given if opt != own]
    if args.serial is not None and args.kind != "event":
        wrong.append("--serial")
    if wrong:
        parser_error(f"{TITLES[args.kind]}（{args.kind}）不接受选项 {'、'.join(wrong)}；"
                     f"它用 {own}" + ("（及 --serial）" if args.kind == "event" else ""))
    if not args.out:
        parser_error("缺少必需的参数：--out FILE.pdf")
    from .clock import SYSTEM_CLOCK
    from .reports import registry

    db = _open(path)
    try:
        built = registry.build(db, args.kind, Path(args.out), item=getattr(args, own[2:]),
                               serial=args.serial, clock=SYSTEM_CLOCK)
    finally:
        db.close()
    print(f"已生成{TITLES[args.kind]}（{built.pages} 页）：{built.path}")
    print(f"标题：{built.title}")
    return 0


def _open(path: Path):
    from .store import open_db

    if not path.exists():
        raise UserError(f"找不到数据库文件：{path}")
    return open_db(path, readonly=True)


def _list(path: Path) -> int:
    from .reports import registry

    db = _open(path)
    try:
        for kind, (title, _module, option) in registry.KINDS.items():
            try:
                found = registry.items(db, kind)
            except UserError as exc:
                print(f"{kind}（{title}）：{exc}")
                continue
            extra = " [--serial N]" if kind == "event" else ""
            print(f"{kind}（{title}）  nxcommand report {kind} {option} …{extra}，共 {len(found)} 项")
            for item in found[:20]:
                print(f"  {option} {item.key}    {item.label}")
            if len(found) > 20:
                print(f"  …… 另有 {len(found) - 20} 项")
    finally:
        db.close()
    sys.stdout.flush()
    return 0
