"""``nxcommand backup`` and ``nxcommand restore``: backups from the command line.

    nxcommand backup [--db PATH] [--to FOLDER] [--user LOGIN]   make one, then thin the folder
    nxcommand backup --list [--db PATH] [--to FOLDER]   the backups in the folder, newest first
    nxcommand restore BACKUP.db [--db PATH] [--yes] [--user LOGIN]

The folder is ``--to``, else the database's setting (meta ``backup_dir``), else ``backups``
beside the database. Without ``--yes`` restore shows what the backup holds against the current
database and asks on a terminal; run without a terminal it refuses (exit 1).

Both need 备份恢复 (管理员): when the database has accounts, ``--user LOGIN`` with the password
from $NXCOMMAND_PASSWORD or a prompt (cli_login.py). ``restore`` asks for it only when the
current database opens and has accounts; a damaged one is replaced without a login.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .errors import UserError


def add_parsers(sub, db_help: str) -> None:
    p = sub.add_parser("backup", help="备份数据库",
                       description="用 SQLite 在线备份生成一份经过检查的备份，然后按保留规则清理旧备份"
                                   "（最近 24 小时内的全部保留，最多 48 份；之后每天、每周、每月各保留一份，"
                                   "分别保留 7 天、5 周、12 个月）。")
    p.add_argument("--db", metavar="PATH", dest="sub_db", help=db_help)
    p.add_argument("--to", metavar="FOLDER", help="备份文件夹（默认为数据库中设置的备份文件夹，"
                                                  "未设置时为数据库旁的 backups 文件夹）")
    p.add_argument("--list", action="store_true", help="只列出备份文件夹中的备份，不新建")
    from .cli_login import add_user_option

    add_user_option(p)
    p = sub.add_parser("restore", help="从备份恢复数据库",
                       description="用一份备份替换当前数据库。替换前先把当前数据库备份到同一文件夹"
                                   "（原因为“恢复前”）。损坏的、其他程序的或更新版本的备份会被拒绝。")
    p.add_argument("backup", metavar="BACKUP.db", help="备份文件路径")
    p.add_argument("--db", metavar="PATH", dest="sub_db", help=db_help)
    p.add_argument("--yes", action="store_true", help="不询问，直接恢复")
    add_user_option(p)


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"


def _line(info) -> str:
    when = info.taken_at.strftime("%Y-%m-%d %H:%M:%S")
    reason = f"  [{info.reason}]" if info.reason else ""
    if not info.ok:
        return f"{when}  {info.path.name}  已损坏：{info.problem}"
    return (f"{when}  {info.path.name}  {_size(info.size)}  架构版本 {info.version}  "
            f"{info.counts_text()}{reason}")


def _folder(args, path: Path) -> Path:
    from . import backup
    from .store import open_db

    if args.to:
        return Path(args.to).expanduser()
    db = open_db(path, readonly=True)
    try:
        return backup.backup_folder(db)
    finally:
        db.close()


def run_backup(args, path: Path) -> int:
    from . import backup
    from .clock import SYSTEM_CLOCK

    if not path.exists():
        raise UserError(f"找不到数据库文件：{path}")
    folder = _folder(args, path)
    if args.list:
        found = backup.list_backups(folder)
        print(f"备份文件夹：{folder}，共 {len(found)} 份")
        for info in found:
            print("  " + _line(info))
        return 0
    from .cli_login import require_file

    require_file(path, args.user, "备份恢复")
    started = time.perf_counter()
    made = backup.make_backup(path, folder, SYSTEM_CLOCK, reason="手动")
    took = time.perf_counter() - started
    info = backup.preview(made)
    print(f"已备份（{took:.2f} 秒，已通过完整性检查）：{made}")
    print(f"  {info.counts_text()}，架构版本 {info.version}，{_size(info.size)}")
    removed = backup.thin(folder, SYSTEM_CLOCK.now())
    kept = backup.list_backups(folder)
    print(f"备份文件夹：{folder}，保留 {len(kept)} 份，按保留规则删除 {len(removed)} 份")
    for gone in removed:
        print(f"  已删除：{gone.name}")
    return 0


def run_restore(args, path: Path) -> int:
    from . import backup, restore
    from .clock import SYSTEM_CLOCK
    from .store import open_db

    source = Path(args.backup).expanduser()
    info = backup.preview(source)
    if not info.ok:
        raise UserError(f"该备份不能用于恢复：{info.problem}（{source}）")
    print(f"备份：{source}")
    print(f"  备份时间 {info.taken_at:%Y-%m-%d %H:%M:%S}，架构版本 {info.version}，{info.counts_text()}")
    print(f"当前数据库：{path}")
    if path.exists():
        try:
            db = open_db(path, readonly=True)
        except UserError as exc:
            print(f"  无法打开（{exc}）；恢复时会把它原样复制保存到备份文件夹")
        else:
            try:
                counts = backup.table_counts(db.conn)
                version = db.execute("PRAGMA user_version").fetchone()[0]
            finally:
                db.close()
            print(f"  架构版本 {version}，" + "，".join(
                f"{backup.COUNTED[k]} {counts[k]}" for k in backup.COUNTED if k in counts))
    else:
        print("  不存在，恢复后新建")
    from .cli_login import require_file

    require_file(path, args.user, "备份恢复")      # only when it opens and has accounts
    if not args.yes:
        if not sys.stdin.isatty():
            print("nxcommand：未确认，未做任何改动。非交互方式运行时请加 --yes。", file=sys.stderr)
            return 1
        answer = input("用这份备份替换当前数据库？当前数据库会先备份。输入 y 确认：").strip().lower()
        if answer not in ("y", "yes", "是"):
            print("已取消，未做任何改动。")
            return 1
    safety = restore.restore(source, path, SYSTEM_CLOCK)
    print(f"已恢复：{path}")
    if safety is not None:
        print(f"恢复前的数据库已保存为：{safety}")
    return 0
