"""Analytics on files of events: near repeats and hot spots (commands in cli.py)."""
