"""Transparency report rendering: matplotlib charts, an HTML page and a PDF."""
