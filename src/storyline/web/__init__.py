"""The web app and REST API (`storyline serve`)."""

from storyline.web.app import create_app, serve

__all__ = ["create_app", "serve"]
