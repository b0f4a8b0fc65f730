# Origin: the `algorithms` package 1.0.1 (release wheel), file algorithms/data_structures/trie.py
#   (project: github.com/keon/algorithms).
# License: MIT (the `algorithms` package); the notice is in bench/realworld/LICENSES.md.
# Adapted for bench/realworld: main(n) added at the end (input generated from a seeded random.Random, n from
#   argv); the algorithm code above it is unchanged.
"""
Implement a trie with insert, search, and startsWith methods.

Note:
You may assume that all inputs are consist of lowercase letters a-z.
"""

import collections


class TrieNode:
    def __init__(self):
        self.children = collections.defaultdict(TrieNode)
        self.is_word = False


class Trie:
    def __init__(self):
        self.root = TrieNode()

    def insert(self, word):
        current = self.root
        for letter in word:
            current = current.children[letter]
        current.is_word = True

    def search(self, word):
        current = self.root
        for letter in word:
            current = current.children.get(letter)
            if current is None:
                return False
        return current.is_word

    def starts_with(self, prefix):
        current = self.root
        for letter in prefix:
            current = current.children.get(letter)
            if current is None:
                return False
        return True


# --- driver (bench/realworld) ---
def main(n):
    import random
    rnd = random.Random(10)
    words = ["".join(rnd.choice("abcdefgh") for _ in range(rnd.randint(3, 10))) for _ in range(n)]
    t = Trie()
    for w in words[: n // 2]:
        t.insert(w)
    found = sum(t.search(w) for w in words)
    prefixes = sum(t.starts_with(w[:3]) for w in words)
    print(found, prefixes)


if __name__ == "__main__":
    import sys
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 120000)
