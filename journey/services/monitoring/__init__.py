"""SKR's national monitoring: the matrix and the static HTML dashboard."""
