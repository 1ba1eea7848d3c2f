"""across: see docs/architecture.md."""
