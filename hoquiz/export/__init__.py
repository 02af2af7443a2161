"""Exporters: each one turns validated banks into a file of another tool."""
