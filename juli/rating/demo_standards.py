"""Demo standards (Anyang bureau organ committee: last year's and this year's)."""
