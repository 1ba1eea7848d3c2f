"""Coding in the editor: the language server (`cmo lsp`) and JSON Schemas for every YAML file of a study."""
