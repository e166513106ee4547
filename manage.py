#!/usr/bin/env python
"""Django's manage.py; `pantry` does the same and manages the embedded database."""

from pantry.platform.cli import main

if __name__ == "__main__":
    main()
