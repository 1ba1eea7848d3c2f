"""corpus: see docs/architecture.md."""
