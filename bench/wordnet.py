"""A small reader for Princeton WordNet 3.0 as Debian's wordnet-base installs it
(/usr/share/wordnet): lemmas, morphy's base forms, and the relatedness test of issue 3.

Two words are related when one of their base forms' synsets is shared, or when a synset of one
links to a synset of the other by one hypernym, hyponym (instance ones included), similar-to or
derivation pointer.
"""
import os

DICT = "/usr/share/wordnet"
FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
LINKS = {"@", "@i", "~", "~i", "&", "+"}
RULES = {
    "n": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y")],
    "v": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"),
          ("ing", "")],
    "a": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    "r": [],
}


class WordNet:
    def __init__(self, root=DICT):
        self.synsets = {}   # lemma -> set of (pos, offset)
        self.links = {}     # (pos, offset) -> set of (pos, offset), by LINKS pointers
        self.pointers = {}  # (pos, offset) -> {pointer symbol: set of (pos, offset)}
        self.exceptions = {p: {} for p in FILES}
        for pos, name in FILES.items():
            with open(os.path.join(root, "data." + name), encoding="latin-1") as f:
                for line in f:
                    if line.startswith("  "):
                        continue
                    fields = line.split(" | ")[0].split()
                    key = (pos, fields[0])
                    n_words = int(fields[3], 16)
                    for i in range(n_words):
                        lemma = fields[4 + 2 * i].lower()
                        if "(" in lemma:
                            lemma = lemma[:lemma.index("(")]
                        self.synsets.setdefault(lemma, set()).add(key)
                    at = 4 + 2 * n_words
                    n_ptrs = int(fields[at])
                    out = self.links.setdefault(key, set())
                    by_symbol = self.pointers.setdefault(key, {})
                    for p in range(n_ptrs):
                        sym, off, ppos = fields[at + 1 + 4 * p: at + 4 + 4 * p]
                        target = ("a" if ppos == "s" else ppos, off)
                        by_symbol.setdefault(sym, set()).add(target)
                        if sym in LINKS:
                            out.add(target)
            exc = os.path.join(root, name + ".exc")
            if os.path.exists(exc):
                with open(exc, encoding="latin-1") as f:
                    for line in f:
                        parts = line.split()
                        if len(parts) >= 2:
                            self.exceptions[pos].setdefault(parts[0], []).extend(parts[1:])

    def base_forms(self, word):
        word = word.lower().replace(" ", "_")
        forms = set()
        if word in self.synsets:
            forms.add(word)
        for pos, rules in RULES.items():
            for base in self.exceptions[pos].get(word, []):
                if base in self.synsets:
                    forms.add(base)
            for suffix, repl in rules:
                if word.endswith(suffix) and len(word) > len(suffix):
                    base = word[: len(word) - len(suffix)] + repl
                    if base in self.synsets:
                        forms.add(base)
        return forms

    def senses(self, word):
        out = set()
        for b in self.base_forms(word):
            out |= self.synsets[b]
        return out

    def known(self, word):
        return bool(self.base_forms(word))

    def related(self, a, b):
        sa, sb = self.senses(a), self.senses(b)
        if not sa or not sb:
            return False
        if sa & sb:
            return True
        return any(self.links.get(s, set()) & sb for s in sa) or \
            any(self.links.get(s, set()) & sa for s in sb)

    def same_lemma(self, a, b):
        return bool(self.base_forms(a) & self.base_forms(b))
