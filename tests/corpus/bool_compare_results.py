# Comparisons between bools and ints.

def run(n):
    a = b = c = 0
    for i in range(n):
        t = i % 2 == 1
        a += t == 1
        b += t < 2
        c += (t > False) + (True >= t)
    return a, b, c

print(run(400))
s = 0
for i in range(300):
    s += (True == 1.0) + (False == 0) + (True != 2) + (True + True == 2)
print(s)
k = 0
for i in range(300):
    k = (i < 150) + (i < 200) + (i < 250)
print(k, type(k).__name__)
