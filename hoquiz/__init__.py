"""hoquiz: spaced-repetition study decks and quiz engine on heterotopic ossification."""

__version__ = "0.1.0"
