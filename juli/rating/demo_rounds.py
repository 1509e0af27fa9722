"""Demo rounds: last year published with stars, this year in progress."""
