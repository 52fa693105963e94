"""``python -m needlewise``."""

from needlewise.cli.app import main

main()
