"""nxcommand's Qt layer: windows, panels and table models over the core services."""

from .qtfix import pin_singletons

pin_singletons()     # before any Qt call: see ui/qtfix.py (PySide6 6.12 on Python 3.11)
