"""REFI-QDA exchange: `.qdpx` projects (NVivo, ATLAS.ti, MAXQDA, QualCoder) to a cmo corpus and back."""
