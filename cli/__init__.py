"""The `resettlement` command: the composition root that starts every other part."""
