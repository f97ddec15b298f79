"""Canonical actors: name normalization across spellings and scripts."""
