"""Juli (聚力): party-building-led grassroots governance."""
