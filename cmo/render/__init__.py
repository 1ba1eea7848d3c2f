"""Renderers: a report model laid out as HTML, Markdown, spreadsheets and text."""
