"""personalize."""
