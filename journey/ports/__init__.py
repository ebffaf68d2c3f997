"""The ports: every Protocol the use cases need, grouped by feature. Adapters satisfy them; tests may substitute fakes."""
