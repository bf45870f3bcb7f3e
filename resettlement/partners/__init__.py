"""Partners in the plan: the directory of local services, referrals with the person's consent,
voluntary organisations' staff and the family or friends the person names."""
