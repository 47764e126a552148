"""`python -m workers ...` is `raqib ...`."""

from workers.cli import main

main()
