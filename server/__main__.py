"""``python -m server`` is ``dialograum serve``."""

from server.cli import main

main()
