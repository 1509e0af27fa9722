"""Invented people: names, phones and years drawn from one seeded random generator.

The same seed always yields the same sequence, so the demo world is identical on every
machine as long as the builder asks for people in the same order.
"""

from __future__ import annotations

import datetime
import random

from .data import FEMALE_GIVEN, MALE_GIVEN, PHONE_PREFIXES, REAL_NAMES, SURNAMES

#: The demo's "now" for ages and dates: fixed, so that nothing depends on the day it is built.
REFERENCE_YEAR = 2024


class PersonFactory:
    """Draws unique names and phone numbers; never returns a name from the source reports."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_names: set[str] = set(REAL_NAMES)
        self.used_phones: set[str] = set()
        # Zipf-like weights: the most common surnames dominate, as they do in life.
        self._surname_weights = [1.0 / (i + 4) for i in range(len(SURNAMES))]

    def gender(self) -> str:
        return self.rng.choice("MF")

    def name(self, gender: str) -> str:
        chars = MALE_GIVEN if gender == "M" else FEMALE_GIVEN
        for _attempt in range(200):
            surname = self.rng.choices(SURNAMES, weights=self._surname_weights)[0]
            length = 1 if self.rng.random() < 0.3 else 2
            given = "".join(self.rng.choice(chars) for _ in range(length))
            name = surname + given
            if given[0] != surname and name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("The name tables are too small for this many people.")

    def reserve(self, name: str) -> str:
        """Take a name chosen on purpose, so that the generator never repeats it."""
        self.used_names.add(name)
        return name

    def phone(self) -> str:
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def birth_year(self, youngest: int, oldest: int) -> int:
        return REFERENCE_YEAR - self.rng.randint(youngest, oldest)

    def date_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def joined_on(self, birth_year: int) -> datetime.date:
        """A plausible date of joining the party: between 19 and 45, never after the demo's now."""
        first = datetime.date(birth_year + 19, 1, 1)
        last = min(datetime.date(birth_year + 45, 12, 31), datetime.date(REFERENCE_YEAR - 1, 6, 30))
        return self.date_between(min(first, last), last)
