"""nxcommand's performance suite: ``python -m bench`` (see bench/run.py)."""
