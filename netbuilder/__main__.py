import sys

from netbuilder.cli import main

sys.exit(main())
