"""Partners in the plan: the directory of local services (Open Referral UK), and what builds
on it (referrals, partner organisations, supporters)."""
