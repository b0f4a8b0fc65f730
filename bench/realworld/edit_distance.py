# Origin: the `algorithms` package 1.0.1 (release wheel), file algorithms/dynamic_programming/edit_distance.py
#   (project: github.com/keon/algorithms).
# License: MIT (the `algorithms` package); the notice is in bench/realworld/LICENSES.md.
# Adapted for bench/realworld: main(n) added at the end (input generated from a seeded random.Random, n from
#   argv); the algorithm code above it is unchanged.
"""
Edit Distance (Levenshtein Distance)

Find the minimum number of insertions, deletions, and substitutions
required to transform one word into another.

Reference: https://en.wikipedia.org/wiki/Levenshtein_distance

Complexity:
    Time:  O(m * n)  where m, n are the lengths of the two words
    Space: O(m * n)
"""

from __future__ import annotations


def edit_distance(word_a: str, word_b: str) -> int:
    """Compute the edit distance between two words.

    Args:
        word_a: First word.
        word_b: Second word.

    Returns:
        Minimum number of single-character edits to transform word_a into word_b.

    Examples:
        >>> edit_distance('food', 'money')
        4
        >>> edit_distance('horse', 'ros')
        3
    """
    length_a, length_b = len(word_a) + 1, len(word_b) + 1

    edit = [[0 for _ in range(length_b)] for _ in range(length_a)]

    for i in range(1, length_a):
        edit[i][0] = i

    for j in range(1, length_b):
        edit[0][j] = j

    for i in range(1, length_a):
        for j in range(1, length_b):
            cost = 0 if word_a[i - 1] == word_b[j - 1] else 1
            edit[i][j] = min(
                edit[i - 1][j] + 1,
                edit[i][j - 1] + 1,
                edit[i - 1][j - 1] + cost,
            )

    return edit[-1][-1]


# --- driver (bench/realworld) ---
def main(n):
    import random
    rnd = random.Random(1)
    a = "".join(rnd.choice("acgt") for _ in range(n))
    b = "".join(rnd.choice("acgt") for _ in range(n))
    print(edit_distance(a, b), edit_distance(a[: n // 2], b))


if __name__ == "__main__":
    import sys
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1200)
