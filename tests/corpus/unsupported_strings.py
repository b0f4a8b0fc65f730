# String building, concatenation and comparison in hot loops.

def build(n):
    s = ""
    for i in range(n):
        s += chr(97 + i % 26)
    return s

s = build(500)
print(len(s), s[:30], s[-5:], s.count("a"))
words = 0
text = "the quick brown fox jumps over the lazy dog " * 20
for i in range(len(text)):
    if text[i] == " ":
        words += 1
print(words)
x = "x"
for i in range(300):
    x = x.upper() if i % 2 else x.lower()
print(x)
