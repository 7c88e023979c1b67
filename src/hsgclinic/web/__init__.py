"""The web: FastAPI app factory (app.py), JSON API (api/), pages (ui/), templates and static files."""
