"""Well-known organizations (`pipeline/data/known_organizations.json`): the names and aliases
that the `pi_known_organizations` component finds where the statistical model misses them
("Nvidia", "Empa", "naturstrom"), and that normalization joins into one entity ("DLR" and
"Deutsches Zentrum für Luft- und Raumfahrt", "Europäische Kommission" and "European
Commission").

An entry marked `ambiguous` has a name that is also an ordinary word, a person's name or
something else ("Orange", "Ford", "BSI"): only its forms of three words or more are used."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: Words from which a form of an ambiguous organization says only one thing.
SAFE_WORDS = 3


@dataclass(frozen=True)
class KnownOrganization:
    id: str
    name: str
    aliases: tuple[str, ...]
    country: str
    kind: str
    ambiguous: bool

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def safe_forms(self) -> tuple[str, ...]:
        """The forms that name this organization wherever they are written."""
        if not self.ambiguous:
            return self.forms
        return tuple(f for f in self.forms if len(f.split()) >= SAFE_WORDS)


@cache
def load() -> dict[str, KnownOrganization]:
    """The entries by id."""
    path = resources.files("pipeline") / "data" / "known_organizations.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        e["id"]: KnownOrganization(
            e["id"], e["name"], tuple(e["aliases"]), e["country"], e["kind"], e["ambiguous"]
        )
        for e in data["organizations"]
    }


@cache
def safe_forms() -> dict[str, str]:
    """Form as written -> entry id, for every form that may be found anywhere."""
    return {form: org.id for org in load().values() for form in org.safe_forms()}
