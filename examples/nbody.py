"""N-body simulation on parallel lists of floats (one list per coordinate), the other common shape of
numeric Python next to the tuple-of-lists version in bench/kernels/nbody.py.

Every `vx[i] -= dx * mj` is a list read, float arithmetic and a list store; a float stored over a float
only its list holds is updated in place, so the loop allocates nothing. The inner `for j` loop's exit is
bridged through the `for i` loop, which starts the next `range` iterator in machine code. Run it with
`python -m tracejit --stats examples/nbody.py`.
"""

import math

PI = 3.14159265358979323
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24


def make_system():
    x = [0.0, 4.84143144246472090e+00, 8.34336671824457987e+00, 1.28943695621391310e+01, 1.53796971148509165e+01]
    y = [0.0, -1.16032004402742839e+00, 4.12479856412430479e+00, -1.51111514016986312e+01, -2.59193146099879641e+01]
    z = [0.0, -1.03622044471123109e-01, -4.03523417114321381e-01, -2.23307578892655734e-01, 1.79258772950371181e-01]
    vx = [0.0, 1.66007664274403694e-03, -2.76742510726862411e-03, 2.96460137564761618e-03, 2.68067772490389322e-03]
    vy = [0.0, 7.69901118419740425e-03, 4.99852801234917238e-03, 2.37847173959480950e-03, 1.62824170038242295e-03]
    vz = [0.0, -6.90460016972063023e-05, 2.30417297573763929e-05, -2.96589568540237556e-05, -9.51592254519715870e-05]
    m = [1.0, 9.54791938424326609e-04, 2.85885980666130812e-04, 4.36624404335156298e-05, 5.15138902046611451e-05]
    for i in range(5):
        vx[i] *= DAYS_PER_YEAR
        vy[i] *= DAYS_PER_YEAR
        vz[i] *= DAYS_PER_YEAR
        m[i] *= SOLAR_MASS
    return x, y, z, vx, vy, vz, m


def energy(x, y, z, vx, vy, vz, m):
    e = 0.0
    n = len(m)
    for i in range(n):
        e += 0.5 * m[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i])
        for j in range(i + 1, n):
            dx = x[i] - x[j]
            dy = y[i] - y[j]
            dz = z[i] - z[j]
            e -= m[i] * m[j] / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(x, y, z, vx, vy, vz, m, dt, steps):
    n = len(m)
    for _ in range(steps):
        for i in range(n):
            for j in range(i + 1, n):
                dx = x[i] - x[j]
                dy = y[i] - y[j]
                dz = z[i] - z[j]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * math.sqrt(d2))
                mi = m[i] * mag
                mj = m[j] * mag
                vx[i] -= dx * mj
                vy[i] -= dy * mj
                vz[i] -= dz * mj
                vx[j] += dx * mi
                vy[j] += dy * mi
                vz[j] += dz * mi
        for i in range(n):
            x[i] += dt * vx[i]
            y[i] += dt * vy[i]
            z[i] += dt * vz[i]


if __name__ == "__main__":
    system = make_system()
    px = sum(v * mass for v, mass in zip(system[3], system[6]))
    py = sum(v * mass for v, mass in zip(system[4], system[6]))
    pz = sum(v * mass for v, mass in zip(system[5], system[6]))
    system[3][0], system[4][0], system[5][0] = -px / SOLAR_MASS, -py / SOLAR_MASS, -pz / SOLAR_MASS
    print("energy before: %.9f" % energy(*system))
    advance(*system, 0.01, 100_000)
    print("energy after:  %.9f" % energy(*system))
