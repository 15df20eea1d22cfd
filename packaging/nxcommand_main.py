"""Entry point of the frozen nxcommand (PyInstaller): the ``nxcommand`` command, console and
subcommands alike.

``build_installer.py`` also runs it with ``NXCOMMAND_BUILD_PROBE=<a PDF the build made>``: it
then checks the libraries the build had to carry (nxcommand_probe.py) instead, and exits.
Nobody else sets that variable; it opens no database and changes nothing.
"""

import os
import sys


def main() -> int:
    probe = os.environ.get("NXCOMMAND_BUILD_PROBE")
    if probe:
        import nxcommand_probe

        return nxcommand_probe.run(probe)
    from nxcommand.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
