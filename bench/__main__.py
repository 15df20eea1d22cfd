"""``python -m bench``: the performance suite (see bench/run.py)."""

from .run import main

raise SystemExit(main())
