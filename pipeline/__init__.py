"""negtgel: consolidate Mongolian action-plan Excel templates into scored reports."""

__version__ = "0.1.0"
