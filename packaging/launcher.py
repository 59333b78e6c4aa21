"""Entry point frozen by PyInstaller: the same as the ``netbuilder`` command."""

import sys

from netbuilder.cli import main

sys.exit(main())
