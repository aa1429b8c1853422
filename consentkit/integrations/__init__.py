"""Thin front doors for web frameworks; each reuses the gate and the renderer underneath."""
