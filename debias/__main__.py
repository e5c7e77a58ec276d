"""``python -m debias`` runs the command line."""
import sys

from debias.cli import main

sys.exit(main())
