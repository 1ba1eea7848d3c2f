"""cmo: realist evaluation as plain text in git (transcripts -> CMO records -> programme theories)."""

__version__ = "0.1.0"
