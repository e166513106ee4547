"""Synthetic catalog data: the demo shop and seeds at scale."""
