"""Which registers go in and out of Excel, by the name the CLI and the console use.

The roster has its own shape (a month of shifts, not a list of records) and its own module,
``roster_excel``; every other register is a ``xlsx.Kind``, looked up lazily so that a command
for one register does not import the others.
"""

from __future__ import annotations

import importlib

from .xlsx import Kind

ROSTER = "roster"
_KINDS = {
    "teams": ("resources_excel", "TEAMS"),
    "experts": ("resources_excel", "EXPERTS"),
    "equipment": ("resources_excel", "EQUIPMENT"),
    "depots": ("supplies_excel", "DEPOTS"),
    "supplies": ("supplies_excel", "SUPPLIES"),
    "shelters": ("resources_excel", "SHELTERS"),
    "contacts": ("contacts_excel", "CONTACTS"),
    "vulnerable": ("vulnerable_excel", "VULNERABLE"),
}
NAMES = (*_KINDS, ROSTER)
TITLES = {"teams": "应急救援队伍", "experts": "专家", "equipment": "装备", "depots": "储备库",
          "supplies": "储备物资", "shelters": "避难场所", "contacts": "通讯录",
          "vulnerable": "特殊群体转移台账", ROSTER: "值班表"}


def kind(name: str) -> Kind:
    module, attr = _KINDS[name]
    return getattr(importlib.import_module(f"{__package__}.{module}"), attr)
