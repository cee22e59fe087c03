"""``python -m quanhe`` runs the command line."""
import sys

from quanhe.cli import main

sys.exit(main())
