"""Calendars that stay current: GOV.UK's bank holidays fetched nightly (the last good copy kept
when a fetch fails), and open plans re-flagged when the new calendar changes their Friday or
pre-bank-holiday flag or their release date."""
