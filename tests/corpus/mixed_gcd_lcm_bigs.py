# Running LCM of 1..n grows into a big int; gcd via while loop.

def lcm_upto(n):
    l = 1
    for k in range(1, n):
        a = l
        b = k
        while b:
            t = a % b
            a = b
            b = t
        l = l // a * k
    return l

r = lcm_upto(300)
print(r % 1000000007, r % 998244353, r > 2 ** 400)
print(lcm_upto(20), lcm_upto(44))
