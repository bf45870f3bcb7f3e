"""The domain: release plans, checklists, the 48-hour plan, early-release requests and audit."""
