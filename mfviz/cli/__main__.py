"""`python -m mfviz.cli` runs the command-line tool."""

from mfviz.cli import main

raise SystemExit(main())
