"""Deterministic, realistic-looking journal text for demo and scale data.

:class:`Writer` makes titles, tags and Markdown bodies about pantry food
from a seeded random stream, together with the HTML and the excerpt that
:mod:`pantry.journal.render` would make of them. The bodies use only
headings, paragraphs, bullet lists and emphasis of plain words, so the HTML
can be written directly: rendering 100,000 bodies through markdown-it would
take minutes (tests check that both agree).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pantry.journal.render import cut_excerpt

FOODS = [
    ("olive oil", "olive-oil", ["Jaén", "Crete", "Puglia", "the Peloponnese"]),
    ("sourdough", "baking", ["our kitchen", "San Francisco", "Berlin"]),
    ("coffee", "coffee", ["Ethiopia", "Colombia", "Huila", "Sidamo"]),
    ("green tea", "tea", ["Shizuoka", "Uji", "Zhejiang"]),
    ("black tea", "tea", ["Assam", "Darjeeling", "Yunnan"]),
    ("saffron", "spices", ["La Mancha", "Kashmir", "Khorasan"]),
    ("smoked paprika", "spices", ["La Vera", "Extremadura"]),
    ("honey", "honey", ["the Alps", "Tasmania", "Provence"]),
    ("dark chocolate", "chocolate", ["Ecuador", "Madagascar", "Peru"]),
    ("balsamic vinegar", "vinegar", ["Modena", "Reggio Emilia"]),
    ("dried pasta", "pasta", ["Gragnano", "Abruzzo"]),
    ("risotto rice", "rice", ["Piedmont", "the Po valley"]),
    ("basmati rice", "rice", ["the Punjab", "Dehradun"]),
    ("sea salt", "salt", ["Brittany", "Maldon", "Trapani"]),
    ("black pepper", "spices", ["Kampot", "Tellicherry", "Kerala"]),
    ("almonds", "nuts", ["Marcona", "Sicily", "California"]),
    ("hazelnuts", "nuts", ["Piedmont", "the Black Sea coast"]),
    ("preserved lemons", "preserves", ["Morocco", "our kitchen"]),
    ("apricot jam", "preserves", ["the Wachau", "Provence"]),
    ("miso", "fermentation", ["Nagano", "Kyoto"]),
    ("kimchi", "fermentation", ["Jeolla", "our kitchen"]),
    ("vanilla", "baking", ["Madagascar", "Tahiti", "Mexico"]),
    ("lentils", "pulses", ["Puy", "Castelluccio", "Umbria"]),
    ("chickpeas", "pulses", ["Fuentesaúco", "Anatolia"]),
    ("maple syrup", "sweeteners", ["Quebec", "Vermont"]),
]
ADJECTIVES = [
    "fresh", "aged", "single-origin", "hand-picked", "stone-ground", "small-batch",
    "organic", "traditional", "cold-pressed", "slow-dried", "wild", "seasonal",
    "unfiltered", "robust", "delicate", "fragrant", "peppery", "mellow", "bright",
]  # fmt: skip
VERBS = [
    "store", "taste", "cook with", "buy", "choose", "pair", "keep", "bake with",
    "season with", "use up", "compare", "grind", "toast", "warm",
]  # fmt: skip
THINGS = [
    "the harvest", "the first pressing", "a tasting panel", "the grower", "the miller",
    "our buyers", "the cooperative", "a family farm", "the roaster", "the market",
    "the cellar", "the drying racks", "an old recipe", "the weather this year",
]  # fmt: skip
DISHES = [
    "a weeknight pasta", "roast vegetables", "a simple salad", "grilled fish",
    "breakfast porridge", "a slow stew", "flatbreads", "a rice pudding",
    "roast chicken", "a plate of beans", "toast and butter", "a lemon cake",
]  # fmt: skip
OPENERS = [
    "Every autumn", "Last spring", "This season", "For years", "In the end",
    "At first", "Most weeks", "On our last visit", "Since we opened",
    "Whenever we can",
]  # fmt: skip
SENTENCES = [
    "{opener} we travel to {place} to meet {person} behind our {food}.",
    "Good {food} should taste {adj}, never flat or stale.",
    "Keep {food} away from light and heat, and use it within a few months.",
    "{opener} we sold out of the {adj} {food} from {place} within days.",
    "Try it with {dish}: it needs nothing else.",
    "The difference between {adj} and {adj2} {food} is easy to taste side by side.",
    "We asked {person} how they {verb} {food}, and the answer surprised us.",
    "A spoonful lifts {dish} more than any sauce we know.",
    "Prices follow {thing}, and this year the crop was small.",
    "If you only {verb} one {food} this month, make it the one from {place}.",
    "Buy less, buy better, and {verb} it while it is {adj}.",
    "{opener} customers ask us how to {verb} {food}; here is what we do.",
    "The label should tell you where it comes from and when it was made.",
    "Nothing about it is complicated, but every step takes time.",
    "In {place} nobody is in a hurry, and you can taste it.",
    "Our first order from {place} was tiny; now it fills a pallet.",
    "For {dish}, a little {food} goes further than you think.",
    "We keep a tasting jar of {food} by the till; ask for it.",
    "{person} showed us {thing} and we stayed all afternoon.",
    "A good test: {verb} it plainly first, then with {dish}.",
    "The best {food} we tasted this year came from {place}.",
    "Some lots are {adj}, others {adj2}; we label which is which.",
    "We pay {person} before the harvest, so they can plan the year.",
    "Store it in a cool cupboard, not next to the stove.",
    "The smell when you open a fresh bag tells you most of what you need.",
    "Ask us which lot is open this week; it changes often.",
    "There is no secret, only {thing} and patience.",
    "Most of what we know about {food} we learned from {person}.",
]
PEOPLE = [
    "the grower", "the miller", "our buyers", "a family of farmers",
    "the roaster", "an old producer", "the cooperative", "a chef we trust",
]  # fmt: skip
TITLES = [
    "How to {verb} {food}",
    "A week of {food} in {place}",
    "Notes on {adj} {food}",
    "The case for {adj} {food}",
    "{Food} from {place}: a buyer's guide",
    "Why {food} tastes better {when}",
    "{n} things we learned about {food}",
    "Visiting {thing} in {place}",
    "{Food} with {dish}",
    "What makes {food} {adj}?",
]
TOPICS = [
    "recipes", "guides", "producers", "storage", "tasting", "news", "seasonal",
    "travel", "gifts", "behind the counter",
]  # fmt: skip
WHENS = ["in winter", "after a month", "with salt", "from a small farm", "at home"]
HEADINGS = [
    "Where it comes from", "What to look for", "How we use it", "Storing it",
    "A simple recipe", "What we learned", "Buying tips", "The people behind it",
]  # fmt: skip
FIRST_NAMES = [
    "Ada", "Bea", "Carlos", "Dana", "Emil", "Farah", "Giulia", "Hugo", "Ines",
    "Jonas", "Keiko", "Lena", "Marco", "Nadia", "Omar", "Priya", "Quentin", "Rosa",
    "Sami", "Tomás", "Uma", "Viktor", "Wen", "Xenia", "Yusuf", "Zoë",
]  # fmt: skip
LAST_NAMES = [
    "Alvarez", "Becker", "Costa", "Dubois", "Eriksen", "Ferreira", "Greco", "Haddad",
    "Ito", "Jensen", "Kowalski", "Laurent", "Moreau", "Novak", "Okafor", "Petrov",
    "Quinn", "Rossi", "Silva", "Tanaka", "Ueda", "Varga", "Weber", "Yilmaz",
]  # fmt: skip
BIOS = [
    "Buys our {food} and visits {place} every year.",
    "Cooks at home, writes about {food}, and runs the tasting table on Fridays.",
    "Former chef; now looks after our {food} and {food2}.",
    "Answers your questions about {food} and anything from {place}.",
]


@dataclass(frozen=True)
class Piece:
    title: str
    tags: list[str]
    body: str
    html: str
    excerpt: str
    food: str


class Writer:
    """Text from a seeded stream: the same seed gives the same pieces."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.deck: list[str] = []

    def name(self) -> tuple[str, str]:
        return self.random.choice(FIRST_NAMES), self.random.choice(LAST_NAMES)

    def bio(self) -> str:
        (food, _, places), (food2, _, _) = self.random.sample(FOODS, 2)
        return self.random.choice(BIOS).format(
            food=food, food2=food2, place=self.random.choice(places)
        )

    def _words(self, food: str, places: list[str]) -> dict[str, str]:
        pick = self.random.choice
        adj, adj2 = self.random.sample(ADJECTIVES, 2)
        return {
            "food": food,
            "Food": food[0].upper() + food[1:],
            "place": pick(places),
            "adj": adj,
            "adj2": adj2,
            "verb": pick(VERBS),
            "thing": pick(THINGS),
            "person": pick(PEOPLE),
            "dish": pick(DISHES),
            "opener": pick(OPENERS),
            "when": pick(WHENS),
            "n": str(self.random.randint(3, 12)),
        }

    def _sentence(self, food: str, places: list[str]) -> str:
        # Deal templates from a shuffled deck, so a post repeats none until
        # it has used them all.
        if not self.deck:
            self.deck = self.random.sample(SENTENCES, len(SENTENCES))
        text = self.deck.pop().format(**self._words(food, places))
        return text[0].upper() + text[1:]

    def piece(
        self,
        *,
        paragraphs: int | None = None,
        topic: tuple[str, str, list[str]] | None = None,
    ) -> Piece:
        """One post: mostly short notes, some long guides with sections.

        ``topic`` (food, tag, places) sets the subject; else one of FOODS.
        """
        food, tag, places = topic or self.random.choice(FOODS)
        self.deck = []
        title = self.random.choice(TITLES).format(**self._words(food, places))
        title = title[0].upper() + title[1:]
        extra = self.random.sample(TOPICS, self.random.randint(0, 2))
        tags = [tag, *extra]
        if paragraphs is None:
            # Lengths vary the way a blog's do: many short, a few long.
            paragraphs = min(1 + int(self.random.expovariate(1 / 3)), 24)
        markdown: list[str] = []
        html: list[str] = []
        plain: list[str] = []
        listed = False
        for index in range(paragraphs):
            if index and index % 4 == 0:
                heading = self.random.choice(HEADINGS)
                markdown.append(f"## {heading}")
                html.append(f"<h2>{heading}</h2>")
                plain.append(heading)
            # Two lists in a row would render as one loose list.
            was_list, listed = listed, False
            if self.random.random() < 0.12 and not was_list:
                listed = True
                items = [self._sentence(food, places) for _ in range(3)]
                markdown.append("\n".join(f"- {item}" for item in items))
                html.append(
                    "<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>"
                )
                plain.extend(items)
                continue
            sentences = [
                self._sentence(food, places) for _ in range(self.random.randint(2, 6))
            ]
            text = " ".join(sentences)
            if self.random.random() < 0.3:
                # Emphasise the food the first time it appears.
                marked = text.replace(food, f"*{food}*", 1)
                if marked != text:
                    markdown.append(marked)
                    html.append(
                        "<p>" + text.replace(food, f"<em>{food}</em>", 1) + "</p>"
                    )
                    plain.append(text)
                    continue
            markdown.append(text)
            html.append(f"<p>{text}</p>")
            plain.append(text)
        return Piece(
            title=title,
            tags=tags,
            body="\n\n".join(markdown) + "\n",
            html="\n".join(html) + "\n",
            excerpt=cut_excerpt(" ".join(plain)),
            food=food,
        )
