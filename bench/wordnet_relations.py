"""WordNet 3.0 relations between two words, for judging expansions (issue 23): synonym,
inflection, derivation, antonym, co-hyponym, from bench/wordnet.py's reader (Debian
wordnet-base) and its pointers by symbol.
"""
from wordnet import WordNet


class Relations(WordNet):
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
