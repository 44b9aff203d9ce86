"""The registry of entity types: one entry per type, read by every stage that handles types.

Each entry says how the type is named (id prefix, table of its own, label, colour), how its
mentions become one entity (the key rule), how its display name is chosen (the display rule)
and which attribute columns of `entities.csv` apply to it. Rules are named here and carried out
by `normalize` (`KEY_RULES`, `DISPLAY_RULES`, `ATTRIBUTE_RULES`); a test checks that every named
rule exists there.

Adding a type is one entry here (plus a component that finds its mentions): with the default
rules (`key_rule="name"`, `display_rule="longest_form"`, no attributes) its mentions are keyed by
their normalized surface form, or by the linked key where the extractor sets one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EntityType:
    """One kind of entity and everything the stages need to know about it."""

    #: The type as written in `entity_type` cells: "person".
    name: str
    #: Three letters before the hash in `entity_id`: "per" -> "per_1a2b3c4d5e6f".
    prefix: str
    #: The per-type table (`people.csv`) and its plural label in the report and the workbook.
    view: str
    #: One colour per type, the same in every chart (hex RGB).
    colour: str
    #: How mentions become one entity: "person" (the fullest form of a name in an article;
    #: surnames join it), "organization" (legal form, leading article and generic words ignored;
    #: acronyms join their long form), "linked:<namespace>" (the key the extractor linked:
    #: GeoNames id, ISO code, taxonomy id), "name" (the normalized surface form).
    key_rule: str = "name"
    #: How the entity's name is chosen among its forms (see normalize.DISPLAY_RULES).
    display_rule: str = "longest_form"
    #: Columns of `entities.csv` beyond the common ones that apply to the type, in the order of
    #: its view (each must be an entity attribute column of `schema.ENTITY_ATTRIBUTES`).
    attributes: tuple[str, ...] = ()
    #: Whether people-like roles attach to it (roles.csv, `roles` and `affiliation` on its view).
    has_roles: bool = False
    #: Whether the gold files score it (evaluate).
    evaluated: bool = True

    @property
    def label(self) -> str:
        """Plural label for headings and legends ("people")."""
        return self.view

    @property
    def id_prefix(self) -> str:
        """What every entity_id of the type starts with ("per_")."""
        return f"{self.prefix}_"


ENTITY_TYPES: tuple[EntityType, ...] = (
    EntityType(
        name="person",
        prefix="per",
        view="people",
        colour="#4c78a8",
        key_rule="person",
        display_rule="longest_form",
        has_roles=True,
    ),
    EntityType(
        name="organization",
        prefix="org",
        view="organizations",
        colour="#f58518",
        key_rule="organization",
        display_rule="longest_form",
    ),
    EntityType(
        name="city",
        prefix="cit",
        view="cities",
        colour="#54a24b",
        key_rule="linked:geonames",
        display_rule="city",
        attributes=(
            "geonames_id",
            "country_code",
            "admin1",
            "latitude",
            "longitude",
            "population",
        ),
    ),
    EntityType(
        name="country",
        prefix="cty",
        view="countries",
        colour="#b279a2",
        key_rule="linked:iso",
        display_rule="country",
        attributes=("country_code",),
        evaluated=False,
    ),
    EntityType(
        name="technology",
        prefix="tec",
        view="technologies",
        colour="#e45756",
        key_rule="linked:tech",
        display_rule="technology",
        attributes=("name_de", "category", "wikidata_id"),
    ),
)

_BY_NAME = {entity_type.name: entity_type for entity_type in ENTITY_TYPES}


class UnknownEntityType(KeyError):
    """A type name that the registry does not hold."""

    def __str__(self) -> str:
        return (
            f"unknown entity type {self.args[0]!r}; the registry (pipeline/entity_types.py) "
            f"holds {', '.join(names())}"
        )


def names() -> tuple[str, ...]:
    """Every type name, in registry order."""
    return tuple(_BY_NAME)


def get(name: str) -> EntityType:
    """The registry entry of a type; raises UnknownEntityType (a KeyError) naming the valid ones."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownEntityType(name) from None


def colour(name: str) -> str:
    """The type's colour (hex RGB)."""
    return get(name).colour


def by_prefix(entity_id: str) -> EntityType | None:
    """The type an entity id belongs to, from its prefix; None for an id of no known type."""
    prefix = entity_id.partition("_")[0]
    return next((t for t in ENTITY_TYPES if t.prefix == prefix), None)


def evaluated() -> tuple[str, ...]:
    """The types that evaluation scores, in registry order."""
    return tuple(t.name for t in ENTITY_TYPES if t.evaluated)
