"""Data protection as features: the consent record, subject access, retention and erasure.

`consents` is what other code gates on (`has_live_consent`); `subject_access` exports all the
service holds about a person; `retention` holds the schedule and anonymises people whose
period has ended (`erasure` uses the same anonymisation ahead of schedule).
"""
