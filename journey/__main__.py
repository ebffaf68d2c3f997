"""``python -m journey`` runs the CLI."""

from journey.cli import main

main()
