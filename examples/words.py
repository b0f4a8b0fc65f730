"""New strings in a trace: slices, concatenation, f-strings, str methods and dict stores.

    python -m tracejit --dump examples/words.py 2> dump.txt

The loop counts two-letter prefixes of words and keeps a running tag. Every string it makes is a new
object the machine code owns: see the `decref` ops and the `owns` lists of the guards in the IR after
`place_releases` (docs/tutorial.md, "New objects and who owns them").
"""


def prefixes(words, n):
    counts = {}
    tag = ""
    for i in range(n):
        w = words[i % len(words)]
        key = w[:2].upper()
        counts[key] = counts.get(key, 0) + 1
        tag = f"{key}-{i % 10}"
    return counts, tag


print(prefixes(["alpha", "beta", "gamma", "delta", "alps"], 200000))
