"""Questions asked of the coded evidence: which passages (query), framework matrices, inter-coder agreement."""
