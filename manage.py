#!/usr/bin/env python
"""Django's command-line utility; `zhibao` (zhibao.cli) is the same thing installed."""

from zhibao.cli import main

if __name__ == "__main__":
    main()
