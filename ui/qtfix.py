"""A process-wide workaround for PySide6 6.12 on Python 3.11, applied when ``ui`` is imported.

Measured in this project's venv (Python 3.11.7, PySide6 6.12.0)::

    o = QObject(); a = sys.getrefcount(None)
    for _ in range(100): o.parent()
    sys.getrefcount(None) - a        # -99

Every C++ call that returns a null pointer as None (parent(), parentWidget(), scene(),
parentItem() …) drops one reference to None, and some pyqtgraph paths drop references to
True: shiboken treats them as immortal, which they are only from Python 3.12. pyqtgraph makes
thousands of such calls per repaint, and CPython aborts ("Fatal Python error: none_dealloc")
once the count reaches zero: the map died on its 4th refresh before this fix.
"""

from __future__ import annotations

import sys

IMMORTAL = 1 << 40


def pin_singletons() -> None:
    """Make None, True and False immortal, as Python 3.12 does, by adding 2**40 to their
    reference counts. Nothing to do on 3.12+ or on a debug build."""
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return
    import ctypes

    for obj in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(obj))
        if count.value < IMMORTAL:
            count.value += IMMORTAL
