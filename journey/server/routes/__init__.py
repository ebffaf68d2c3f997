"""Routes per feature: pages (HTML), api (JSON), feeds (ICS), health."""
