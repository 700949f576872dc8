"""The web UI (Jinja + htmx), one router per screen."""
