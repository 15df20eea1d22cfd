"""The ``nxcommand`` command: the console by default, and maintenance subcommands.

    nxcommand [--db PATH]                 open the console
    nxcommand init [--db PATH] [--demo]   create a database (optionally with the demo county)
    nxcommand check [--db PATH]           schema version, integrity, foreign keys
    nxcommand template KIND FILE.xlsx     an empty Excel template for a register
    nxcommand import KIND FILE.xlsx [--db PATH] [--dry-run] [--year YYYY] [--user LOGIN]
    nxcommand export KIND FILE.xlsx [--db PATH] [--month YYYY-MM]
                                          KIND: teams experts equipment depots supplies
                                          shelters contacts vulnerable roster
    nxcommand report --list | KIND --out FILE.pdf [--event ID | --date YYYY-MM-DD | …]
                                          PDF documents in the 公文 look (cli_report.py)
    nxcommand backup [--db PATH] [--to FOLDER] [--list] [--user LOGIN]
                                          an online backup, then thinning (cli_backup.py)
    nxcommand restore BACKUP.db [--db PATH] [--yes] [--user LOGIN]
                                          replace the database by a backup, after backing it up

``--db`` or ``$NXCOMMAND_DB`` picks the database everywhere; otherwise the default one in
the user's data directory is used. Exit codes: 0 sound/done, 1 problem, 2 bad arguments.

Commands that write (import, backup, restore) sign in when the database has accounts:
``--user LOGIN``, the password from $NXCOMMAND_PASSWORD or a prompt (cli_login.py). ``init``
and the commands that only read (check, template, export, report, import --dry-run,
backup --list) need no login.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from .errors import UserError
from .paths import DB_ENV, chosen_db_path

_ARGPARSE_ZH = [
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面需要一个值"),
    (r"argument (\{.*\}|command): invalid choice: (.*) \(choose from (.*)\)", r"无效的子命令 \2（可选：\3）"),
    (r"argument (KIND|kind): invalid choice: (.*) \(choose from (.*)\)", r"无效的登记表类别 \2（可选：\3）"),
    (r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)", r"参数 \1 的值 \2 无效（可选：\3）"),
    (r"argument (\S+): invalid int value: (.*)", r"参数 \1 应为整数，这里是 \2"),
    (r"argument (\S+): ignored explicit argument (.*)", r"参数 \1 不接受值 \2"),
    (r"ambiguous option: (.*) could match (.*)", r"有歧义的选项 \1，可能是：\2"),
]


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese usage and error messages."""

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "用法：", 1)

    def format_help(self) -> str:
        text = super().format_help().replace("usage:", "用法：", 1)
        return text.replace("\noptions:\n", "\n选项：\n").replace(
            "\npositional arguments:\n", "\n子命令：\n").replace(
            "show this help message and exit", "显示本帮助并退出")

    def error(self, message: str):
        for pattern, replacement in _ARGPARSE_ZH:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, replacement, message)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"nxcommand：错误：{message}\n")


def _build_parser() -> argparse.ArgumentParser:
    db_help = f"数据库文件路径（也可用环境变量 {DB_ENV}；默认为用户数据目录中的数据库）"
    parser = _Parser(prog="nxcommand", description="nxcommand 县级应急指挥值班台。不带子命令时打开控制台。")
    parser.add_argument("--db", metavar="PATH", help=db_help)
    sub = parser.add_subparsers(dest="command", metavar="{init,check,template,import,export,report,backup,restore}",
                                parser_class=_Parser)
    p_init = sub.add_parser("init", help="新建数据库", description="新建一个空数据库，可选载入演示县数据。")
    p_init.add_argument("--db", metavar="PATH", dest="sub_db", help=db_help)
    p_init.add_argument("--demo", action="store_true", help="载入演示县数据（南雄市模型，人员电话均为虚构）")
    p_check = sub.add_parser("check", help="检查数据库", description="检查架构版本、完整性和外键。只读，不修改文件。")
    p_check.add_argument("--db", metavar="PATH", dest="sub_db", help=db_help)
    from .excel_kinds import NAMES, TITLES

    kinds = "、".join(f"{k}（{TITLES[k]}）" for k in NAMES)
    for name, help_text, description in (
            ("template", "生成 Excel 导入模板", "生成某类登记表的空白 Excel 模板（带表头）。"),
            ("import", "从 Excel 导入", "从 Excel 导入某类登记表。先逐行检查，任何一行有误则不导入任何内容。"),
            ("export", "导出到 Excel", "把某类登记表导出为 Excel 文件。")):
        p = sub.add_parser(name, help=help_text, description=description + f"类别：{kinds}。")
        p.add_argument("kind", metavar="KIND", choices=NAMES, help="登记表类别：" + "、".join(NAMES))
        p.add_argument("file", metavar="FILE.xlsx", help="Excel 文件路径")
        p.add_argument("--db", metavar="PATH", dest="sub_db", help=db_help)
        if name == "import":
            p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
            p.add_argument("--year", type=int, metavar="YYYY",
                           help="值班表中日期未写年份且标题中也没有年份时使用的年份")
            from .cli_login import add_user_option

            add_user_option(p)
        if name == "export":
            p.add_argument("--month", metavar="YYYY-MM", help="导出值班表的月份（默认本月）")
    from . import cli_report

    cli_report.add_parser(sub, db_help)
    from . import cli_backup

    cli_backup.add_parsers(sub, db_help)
    return parser


def _cmd_init(path: Path, demo: bool) -> int:
    from . import contacts, org
    from . import demo as demo_data
    from .store import open_db

    if path.exists() and (path.is_dir() or path.stat().st_size > 0):
        print(f"nxcommand：文件已存在：{path}。init 不会覆盖已有文件，请换一个路径。", file=sys.stderr)
        return 1
    db = open_db(path, create=True)
    try:
        if demo:
            demo_data.load_demo(db)
        towns = len(org.towns(db))
        print(f"已新建数据库：{path}")
        if demo:
            print(f"已载入演示数据：{towns} 个镇（街道），{len(org.organizations(db))} 个单位，"
                  f"{contacts.count(db)} 位联系人，{len(org.command_bodies(db))} 个指挥机构")
    finally:
        db.close()
    return 0


def _cmd_check(path: Path) -> int:
    from .store import check, latest_version, open_db

    print(f"数据库：{path}")
    from . import audit, ledger

    problems, chain = check(path), []
    if not problems:
        db = open_db(path, readonly=True)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            problems = ledger.verify(db)
            chain, records = audit.verify(db), audit.head(db)[0]
        finally:
            db.close()
        print(f"架构版本：{version}（本程序：{latest_version()}）")
        print("完整性检查：通过")
        print("外键检查：通过")
    if not problems:
        print("物资台账：每笔出入库记录与库存结存相符")
    if not problems and not chain:
        print(f"审计链：{records} 条记录首尾相连，各记录与其审计记录相符")
        print("结论：数据库完好")
        return 0
    problems += chain
    print(f"发现 {len(problems)} 个问题：", file=sys.stderr)
    for n, problem in enumerate(problems, 1):
        print(f"  {n}. {problem}", file=sys.stderr)
    return 1


def _open_existing(path: Path):
    from .store import open_db

    if not path.exists():
        raise UserError(f"找不到数据库文件：{path}")
    return open_db(path)


def _cmd_template(args) -> int:
    from . import excel_kinds, roster_excel, xlsx

    if args.kind == excel_kinds.ROSTER:
        out = roster_excel.write_template(args.file)
    else:
        out = xlsx.write_template(None, excel_kinds.kind(args.kind), args.file)
    print(f"已生成模板：{out}")
    return 0


def _cmd_export(args, path: Path) -> int:
    from datetime import date

    from . import excel_kinds, roster_excel, xlsx

    db = _open_existing(path)
    try:
        if args.kind == excel_kinds.ROSTER:
            today = date.today()
            year, month = today.year, today.month
            if args.month:
                m = re.fullmatch(r"(\d{4})-(\d{1,2})", args.month)
                if not m or not 1 <= int(m.group(2)) <= 12:
                    raise UserError(f"月份“{args.month}”格式不对，应写作 2026-11")
                year, month = int(m.group(1)), int(m.group(2))
            n = roster_excel.export_month(db, year, month, args.file)
            print(f"已导出 {year}年{month}月值班表 {n} 个班次：{args.file}")
        else:
            n = xlsx.export(db, excel_kinds.kind(args.kind), args.file)
            print(f"已导出{excel_kinds.TITLES[args.kind]} {n} 条：{args.file}")
    finally:
        db.close()
    return 0


def _cmd_import(args, path: Path) -> int:
    from . import excel_kinds, roster_excel, xlsx

    db = _open_existing(path)
    try:
        if not args.dry_run:            # a dry run only reads
            from . import cli_login

            action = ("编排值班表" if args.kind == excel_kinds.ROSTER
                      else xlsx.IMPORT_ACTIONS.get(args.kind, "管理资源登记"))
            cli_login.require(db, args.user, action)
        if args.kind == excel_kinds.ROSTER:
            report = roster_excel.dry_run(db, args.file, year=args.year)
            if report.ok and not args.dry_run:
                report = roster_excel.import_roster(db, args.file, year=args.year)
        else:
            kind = excel_kinds.kind(args.kind)
            report = xlsx.dry_run(db, kind, args.file)
            if report.ok and not args.dry_run:
                report = xlsx.import_file(db, kind, args.file)
    finally:
        db.close()
    if report.errors:
        print(report.summary(), file=sys.stderr)
        for error in report.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    print(report.summary() + ("（试运行，未写入）" if args.dry_run else ""))
    return 0


def _cmd_console(path: Path, is_default: bool) -> int:
    if not is_default and not path.exists():
        print(f"nxcommand：找不到数据库文件：{path}（新建请用 nxcommand init --db {path}）", file=sys.stderr)
        return 1
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("QT_QPA_PLATFORM")):
        print("nxcommand：未检测到图形显示环境（DISPLAY）。请在桌面环境中运行，"
              "或使用 xvfb-run nxcommand。", file=sys.stderr)
        return 1
    import importlib

    app = importlib.import_module("ui.app")  # Qt is loaded only here, never by the core
    return app.run(path, is_default)


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    path, is_default = chosen_db_path(getattr(args, "sub_db", None) or args.db)
    try:
        if args.command == "init":
            return _cmd_init(path, args.demo)
        if args.command == "check":
            if not path.exists():
                print(f"nxcommand：找不到数据库文件：{path}", file=sys.stderr)
                return 1
            return _cmd_check(path)
        if args.command == "template":
            return _cmd_template(args)
        if args.command == "import":
            return _cmd_import(args, path)
        if args.command == "export":
            return _cmd_export(args, path)
        if args.command == "report":
            from . import cli_report

            sub = parser._subparsers._group_actions[0].choices["report"]
            return cli_report.run(args, path, sub.error)
        if args.command in ("backup", "restore"):
            from . import cli_backup

            if args.command == "backup":
                return cli_backup.run_backup(args, path)
            return cli_backup.run_restore(args, path)
        return _cmd_console(path, is_default)
    except UserError as exc:
        print(f"nxcommand：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
