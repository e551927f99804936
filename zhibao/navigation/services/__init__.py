"""Writes of patent navigation, one module per area: projects, the tree, runs, reports."""
