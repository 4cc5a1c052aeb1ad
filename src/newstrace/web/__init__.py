"""The web app: ``newstrace serve`` (pages and a REST API over a store)."""
