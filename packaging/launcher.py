"""Entry point of the bundled application (PyInstaller runs this file)."""

import sys

from chainrule_gui.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
