"""One module per ``refconv`` subcommand; each exposes ``register(subparsers)``."""
