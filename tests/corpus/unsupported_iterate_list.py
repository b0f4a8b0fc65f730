# for over lists, tuples, strings and enumerate/zip.

xs = list(range(500))
s = 0
for x in xs:
    s += x * 2
print(s)
t = 0
for idx, v in enumerate(xs):
    t += idx ^ v
print(t)
u = 0
for a, b in zip(xs, reversed(xs)):
    u += a * b
print(u)
c = 0
for ch in "abracadabra" * 30:
    if ch == "a":
        c += 1
print(c)
