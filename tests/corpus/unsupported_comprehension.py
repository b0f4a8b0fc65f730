# List/dict/set comprehensions and generator expressions with hot loops.

sq = [i * i for i in range(500)]
print(len(sq), sq[-1], sum(sq))
d = {i: i % 7 for i in range(400)}
print(sum(d.values()), d[399])
st = {i % 13 for i in range(300)}
print(sorted(st))
g = sum(x for x in range(1000) if x % 3 == 0)
print(g)
nested = [[i * j for j in range(20)] for i in range(20)]
print(sum(sum(r) for r in nested))
