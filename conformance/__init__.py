"""optconf's conformance suite: properties, runner, reports, CLI and pytest plugin."""
