"""theory: see docs/architecture.md."""
