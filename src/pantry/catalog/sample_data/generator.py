"""The seed's rows: products, variants and promotions as COPY text lines,
deterministic for a seed. How and why: docs/catalog-seed.md.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings

from pantry.catalog.sample_data.sections import (
    ADJECTIVES as NAME_ADJECTIVES,
)
from pantry.catalog.sample_data.sections import (
    COLOURS,
    SECTIONS,
    SERIES,
    THEMES,
)
from pantry.catalog.sample_data.vocabulary import (
    BRANDS,
    DEPARTMENT_SENTENCES,
    DEPARTMENTS,
    SENTENCES,
    CategoryRow,
    slugify,
    tag_vocabulary,
    title,
)


class SeedError(Exception):
    """The seed cannot run; the message is for the user."""


CREATED_SPAN = timedelta(days=730)


def zipf_weights(count: int, exponent: float = 1.07) -> list[float]:
    total = 0.0
    cumulative = []
    for rank in range(1, count + 1):
        total += 1 / rank**exponent
        cumulative.append(total)
    return cumulative


class Names:
    """Unique product names without numbers: brand, adjective, word, noun.

    The k-th product of a noun takes the k-th combination of its section's
    words in a stride order (a bijection, so names never repeat and
    neighbours differ); past the last combination a series mark (II, III,
    ...) starts the combinations again.
    """

    def __init__(self, departments: dict[str, str], seed: int):
        self.rng = random.Random(seed)
        self.offset: dict[str, int] = {}
        self.words: dict[str, tuple[tuple[str, ...], ...]] = {}
        self.stride: dict[str, int] = {}
        self.taken: dict[str, int] = {}
        self.departments = departments

    def words_of(self, section: str) -> tuple[tuple[str, ...], ...]:
        if section not in self.words:
            department = self.departments[section]
            third = SECTIONS[section].get("materials") or THEMES.get(section) or SERIES
            words = (tuple(BRANDS), NAME_ADJECTIVES[department], third)
            size = len(words[0]) * len(words[1]) * len(words[2])
            stride = int(size * 0.618) | 1
            while math.gcd(stride, size) != 1:
                stride += 2
            self.words[section], self.stride[section] = words, stride
        return self.words[section]

    def next(self, section: str, noun: str) -> tuple[str, str, str, str]:
        """(brand, adjective, third word, series mark) for the next product."""
        brands, adjectives, third = self.words_of(section)
        size = len(brands) * len(adjectives) * len(third)
        if noun not in self.taken:
            self.taken[noun] = 0
            self.offset[noun] = self.rng.randrange(size)
        number = self.taken[noun]
        self.taken[noun] = number + 1
        series, number = divmod(number, size)
        if series >= len(SERIES_MARKS):
            raise SeedError(f"more than {size * len(SERIES_MARKS)} products of {noun}")
        index = (number * self.stride[section] + self.offset[noun]) % size
        index, brand = divmod(index, len(brands))
        word, adjective = divmod(index, len(adjectives))
        return brands[brand], adjectives[adjective], third[word], SERIES_MARKS[series]


SERIES_MARKS = ("", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X")


@functools.cache
def slug_word(text: str) -> str:
    return slugify(text)


@functools.cache
def noun_title(noun: str) -> str:
    return title(noun)


def product_name(
    department: str, has_materials: bool, words: tuple[str, str, str, str], noun: str
) -> tuple[str, str]:
    """A product's name and slug (slugs of words are cached: no regex per row)."""
    brand, adjective, third, mark = words
    if has_materials:
        parts = (brand, adjective, third, noun_title(noun))
        name = " ".join(parts) + mark
    elif department == "Books":
        parts = (brand, adjective, noun_title(noun), third)
        name = f"{brand} {adjective} {parts[2]}: {third}{mark}"
    else:
        parts = (brand, adjective, noun_title(noun), third)
        name = " ".join(parts) + mark
    slug = "-".join(slug_word(part) for part in parts)
    return name, f"{slug}-{slug_word(mark)}" if mark else slug


class Generator:
    """Builds product, variant and promotion rows as COPY text lines."""

    def __init__(
        self,
        seed: int,
        categories: list[CategoryRow],
        products: int,
        today: datetime | None = None,
    ):
        self.rng = random.Random(seed)
        # Rows are dated back from ``today`` (UTC midnight): products over
        # CREATED_SPAN in id order, as in a shop that adds them over time,
        # and promotions so that some run now.
        self.today = today or datetime.now(UTC).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        self.created_step = CREATED_SPAN / max(products, 1)
        # Products go into the leaves (categories with no children).
        parents = {c.parent_id for c in categories}
        self.leaves = [c for c in categories if c.id not in parents]
        by_id = {c.id: c for c in categories}
        self.section_of: dict[int, str] = {}
        for leaf in self.leaves:
            row = leaf
            while row.parent_id is not None and by_id[row.parent_id].parent_id:
                row = by_id[row.parent_id]
            self.section_of[leaf.id] = row.name
        departments = {
            section: department
            for department, sections in DEPARTMENTS.items()
            for section in sections
        }
        self.kinds = {section: Kind.of(section) for section in departments}
        self.names = Names(departments, seed)
        self.sentences = {
            department: SENTENCES + DEPARTMENT_SENTENCES[department]
            for department in DEPARTMENTS
        }
        self.tags = tag_vocabulary()
        self.tag_cum = zipf_weights(len(self.tags))
        self.currency = settings.PANTRY_CURRENCY
        self.variant_id = 0
        self.promotion_id = 0

    def pick_tags(self, rng: random.Random, count: int) -> list[str]:
        total = self.tag_cum[-1]
        chosen: dict[str, None] = {}
        for _ in range(count):
            index = bisect.bisect_left(self.tag_cum, rng.random() * total)
            chosen.setdefault(self.tags[min(index, len(self.tags) - 1)], None)
        return list(chosen)

    def promotions(
        self, rng: random.Random, product_id: int, created: datetime
    ) -> tuple[list[str], bool]:
        """A product's promotion lines, and whether one runs today.

        A promotion that runs today runs on for at least a week, and none
        starts before tomorrow, so the product's ``sale`` tag stays true to
        its promotions all day (and for days after the seed).
        """
        lines: list[str] = []
        on_sale = False
        if rng.random() >= 0.08:
            return lines, on_sale
        today = self.today
        start = max(created, today - timedelta(days=rng.randrange(400)))
        for _ in range(rng.randint(1, 3)):
            end = start + timedelta(days=rng.randint(7, 120))
            if today < start < today + timedelta(days=1):
                start, end = start + timedelta(days=1), end + timedelta(days=1)
            if start <= today < end:
                end = max(end, today + timedelta(days=7))
                on_sale = True
            self.promotion_id += 1
            percent = rng.choice((5, 10, 15, 20, 25, 30, 40, 50))
            # Back-to-back half-open ranges never overlap.
            lines.append(
                f"{self.promotion_id}\t{product_id}\t{percent}\t"
                f"[{start.isoformat()},{end.isoformat()})\t{start.isoformat()}"
            )
            start = end + timedelta(days=rng.randint(0, 60))
        return lines, on_sale

    def product(
        self, product_id: int
    ) -> tuple[str, list[str], list[str], tuple[str, list[str], bool]]:
        """One product line, its variant and promotion lines (COPY text),
        and its (name, tags, is_active) for the insert hooks."""
        rng = self.rng
        rnd = rng.random
        leaf = self.leaves[int(rnd() * len(self.leaves))]
        section = self.section_of[leaf.id]
        department = leaf.department
        kind = self.kinds[section]
        materials = kind.materials
        noun = leaf.nouns[int(rnd() * len(leaf.nouns))]
        words = self.names.next(section, noun)
        brand, _adjective, third, _mark = words
        name, slug = product_name(department, materials, words, noun)
        count = rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8))
        description = " ".join(rng.choices(self.sentences[department], k=count))
        if count:
            what = (
                f"{noun_title(noun).lower()} in {third.lower()}" if materials else name
            )
            description = f"The {brand} {what}. {description}"
        specs, tags_of_specs = spec_text(rnd, kind.specs)
        tags = self.pick_tags(rng, rng.randint(1, 6))
        for tag in (noun, slug_word(department)):
            if tag not in tags and rnd() < 0.5:
                tags.append(tag)
        if materials and rnd() < 0.3:
            tags.append(slug_word(third))
        tags += tags_of_specs
        attributes = f'"brand"=>"{brand}"'
        if materials:
            attributes += f', "material"=>"{third}"'
        is_active = "f" if rnd() < 0.03 else "t"
        created = (
            self.today - CREATED_SPAN + self.created_step * (product_id - 1 + rnd())
        )
        updated = min(
            created + timedelta(seconds=rng.randrange(86_400 * 30)), self.today
        )
        promotions, on_sale = self.promotions(rng, product_id, created)
        if on_sale:
            tags.append("sale")
        tags = list(dict.fromkeys(tags))
        product_line = "\t".join(
            (
                str(product_id),
                slug,
                name,
                description,
                str(leaf.id),
                "{" + ",".join(tags) + "}",
                specs,
                attributes,
                is_active,
                created.isoformat(),
                updated.isoformat(),
            )
        )
        base = round(rng.lognormvariate(3.5, 1.0), 2) + 1
        code = f"{brand[:3].upper()}{product_id}"
        options = kind.options
        first = int(rnd() * len(options))
        colour = int(rnd() * len(COLOURS)) if department == "Clothing" else None
        variants = []
        wanted = rng.choices((1, 2, 3, 4), cum_weights=(20, 50, 80, 100))[0]
        for index in range(min(wanted, len(options))):
            self.variant_id += 1
            price = f"{base * (1 + index * 0.15):.2f}"
            stock = 0 if rnd() < 0.2 else rng.randint(1, 500)
            option = options[(first + index) % len(options)]
            if colour is not None and kind.with_colour:
                option = kind.with_colour[option][colour]
            variants.append(
                f"{self.variant_id}\t{code}-{index + 1}\t{product_id}\t"
                f"{option}\t{price}\t{self.currency}\t{stock}"
            )
        return product_line, variants, promotions, (name, tags, is_active == "t")


# Spec keys whose true value a tag states.
FACT_TAGS = {
    "organic": "organic",
    "vegan": "vegan",
    "dishwasher_safe": "dishwasher-safe",
}
# (key as JSON, values, values as JSON, nested entries, tag when true)
SpecEntry = tuple[str, tuple[Any, ...], tuple[str, ...], list[Any], str | None]


def compile_specs(template: dict[str, Any]) -> list[SpecEntry]:
    """A spec template with its JSON text made once, not per product."""
    entries: list[SpecEntry] = []
    for key, value in template.items():
        if isinstance(value, dict):
            entries.append((json.dumps(key) + ": ", (), (), compile_specs(value), None))
        else:
            texts = tuple(json.dumps(v, ensure_ascii=False) for v in value)
            entries.append(
                (json.dumps(key) + ": ", tuple(value), texts, [], FACT_TAGS.get(key))
            )
    return entries


def spec_text(rnd: Any, entries: list[SpecEntry]) -> tuple[str, list[str]]:
    """Specs as JSON text, and the tags that their true facts call for."""
    parts = []
    tags = []
    for key, values, texts, nested, tag in entries:
        if nested:
            parts.append(key + spec_text(rnd, nested)[0])
            continue
        index = int(rnd() * len(texts))
        parts.append(key + texts[index])
        if tag and values[index] is True:
            tags.append(tag)
    return "{" + ", ".join(parts) + "}", tags


@dataclass(frozen=True)
class Kind:
    """A section's words and templates, prepared for the generator."""

    materials: bool
    specs: list[SpecEntry]
    # Each option value as JSON, and (clothing) with each colour added.
    options: tuple[str, ...]
    with_colour: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, section: str) -> Kind:
        kind = SECTIONS[section]
        key, values = kind["options"]
        options = tuple(json.dumps({key: value}) for value in values)
        with_colour = {
            json.dumps({key: value}): tuple(
                json.dumps({key: value, "colour": colour}) for colour in COLOURS
            )
            for value in values
            if key != "colour"
        }
        return cls(
            bool(kind.get("materials")),
            compile_specs(kind["specs"]),
            options,
            with_colour,
        )


# -- loading -----------------------------------------------------------------
