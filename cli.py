"""Shim so that `python cli.py ...` works from a checkout; the CLI lives in journey/cli."""

from journey.cli import main

if __name__ == "__main__":
    main()
