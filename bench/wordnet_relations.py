"""WordNet 3.0 relations between two words, for judging expansions (issue 23): synonym,
inflection, derivation, antonym, co-hyponym. Reads Debian wordnet-base's data files; base forms
as bench/wordnet.py's morphy does.
"""
import os

from wordnet import DICT, FILES, WordNet


class Relations(WordNet):
    def __init__(self, root=DICT):
        super().__init__(root)
        self.pointers = {}  # (pos, offset) -> {symbol: set of (pos, offset)}
        for pos, name in FILES.items():
            with open(os.path.join(root, "data." + name), encoding="latin-1") as f:
                for line in f:
                    if line.startswith("  "):
                        continue
                    fields = line.split(" | ")[0].split()
                    key = (pos, fields[0])
                    at = 4 + 2 * int(fields[3], 16)
                    out = self.pointers.setdefault(key, {})
                    for p in range(int(fields[at])):
                        sym, off, ppos = fields[at + 1 + 4 * p: at + 4 + 4 * p]
                        out.setdefault(sym, set()).add(("a" if ppos == "s" else ppos, off))

    def _linked(self, sa, sb, symbols):
        for s in sa:
            ptrs = self.pointers.get(s, {})
            if any(ptrs.get(sym, set()) & sb for sym in symbols):
                return True
        return False

    def _hypernyms(self, senses):
        out = set()
        for s in senses:
            ptrs = self.pointers.get(s, {})
            out |= ptrs.get("@", set()) | ptrs.get("@i", set())
        return out

    def classify(self, a, b):
        """One of: synonym, inflection, derivation, antonym, cohyponym, other, unknown. A pair that
        is both good (the first three) and bad is good."""
        if not self.known(a) or not self.known(b):
            return "unknown"
        if self.base_forms(a) & self.base_forms(b):
            return "inflection"
        sa, sb = self.senses(a), self.senses(b)
        if sa & sb:
            return "synonym"
        if self._linked(sa, sb, ("+",)) or self._linked(sb, sa, ("+",)):
            return "derivation"
        if self._linked(sa, sb, ("!",)) or self._linked(sb, sa, ("!",)):
            return "antonym"
        if self._hypernyms(sa) & self._hypernyms(sb):
            return "cohyponym"
        return "other"
