#!/usr/bin/env python3
"""BOIN's final selection, ported line by line from the R package BOIN's select.mtd (version
2.7.2), in binary floating point as R computes it, to check celldose's exact rationals against.

    select.mtd(target, npts, ntox, cutoff.eli = 0.95, extrasafe = FALSE, offset = 0.05)

- a level is eliminated, with every level above it, when npts >= 3 and
  1 - pbeta(target, ntox + 1, npts - ntox + 1) > cutoff.eli; with extrasafe, level 1 (and so
  every level) also when that is above cutoff.eli - offset;
- if level 1 is eliminated, no dose is selected (R returns 99);
- otherwise over the levels with npts > 0 not eliminated: phat = (y + 0.05) / (n + 0.1),
  phat.var = (y + 0.05)(n - y + 0.05) / ((n + 0.1)^2 (n + 0.1 + 1)); phat = pava(phat, 1/phat.var)
  (pool the first adjacent pair that decreases, by the weighted mean, until none does);
  phat = phat + (1:length(phat)) * 1e-10; the selected level is the first index of the smallest
  abs(phat - target).

pbeta's upper tail for whole parameters is P(Binomial(n + 1, target) <= ntox), computed here as
an exact Fraction. Run: python3 boin_select.py > boin_select.txt
Each line of the output: target, outcomes (celldose's notation), R's selected level or NA.
"""
from fractions import Fraction
from math import comb


def upper_tail(target, n, y):
    phi = Fraction(target)
    m = n + 1
    return sum(comb(m, k) * phi ** k * (1 - phi) ** (m - k) for k in range(y + 1))


def pava(x, wt):
    n = len(x)
    if n <= 1:
        return x
    x = list(x)
    lvlsets = list(range(n))
    while True:
        viol = [x[i + 1] - x[i] < 0 for i in range(n - 1)]
        if not any(viol):
            break
        i = viol.index(True)
        lvl1, lvl2 = lvlsets[i], lvlsets[i + 1]
        ilvl = [j for j in range(n) if lvlsets[j] in (lvl1, lvl2)]
        value = sum(x[j] * wt[j] for j in ilvl) / sum(wt[j] for j in ilvl)
        for j in ilvl:
            x[j] = value
            lvlsets[j] = lvl1
    return x


def select_mtd(target, npts, ntox, cutoff_eli=0.95, extrasafe=False, offset=0.05):
    ndose = len(npts)
    elimi = [0] * ndose
    cutoff = Fraction(str(cutoff_eli))
    if extrasafe and npts[0] >= 3:
        if upper_tail(target, npts[0], ntox[0]) > cutoff - Fraction(str(offset)):
            elimi = [1] * ndose
    for i in range(ndose):
        if npts[i] >= 3 and upper_tail(target, npts[i], ntox[i]) > cutoff:
            for j in range(i, ndose):
                elimi[j] = 1
            break
    if elimi[0] == 1:
        return None
    adm = [i for i in range(ndose) if npts[i] != 0 and elimi[i] == 0]
    y = [ntox[i] for i in adm]
    n = [npts[i] for i in adm]
    phat = [(yi + 0.05) / (ni + 0.1) for yi, ni in zip(y, n)]
    var = [(yi + 0.05) * (ni - yi + 0.05) / ((ni + 0.1) ** 2 * (ni + 0.1 + 1)) for yi, ni in zip(y, n)]
    phat = pava(phat, [1 / v for v in var])
    phat = [p + (k + 1) * 1e-10 for k, p in enumerate(phat)]
    distances = [abs(p - float(target)) for p in phat]
    best = min(range(len(distances)), key=lambda k: (distances[k], k))
    return adm[best] + 1


def outcomes(levels, cohorts):
    """Counts per level from celldose's notation: '1NNN 2TTN' -> (npts, ntox)."""
    npts, ntox = [0] * levels, [0] * levels
    for cohort in cohorts.split():
        level = int(cohort[0]) - 1
        npts[level] += len(cohort) - 1
        ntox[level] += cohort.count("T")
    return npts, ntox


CASES = [
    ("0.3", 3, "1NNN 2TTN 3NNN"),
    ("0.2", 5, "1TNN 1NNT 1NNN 1NNN 1NNN 2NNN 3NNT 2NNN"),
    ("0.3", 4, "1NNN 2NTN 2NNN 3TNT 3TNN 4NTN"),
    ("0.3", 4, "1NNN 2NNN 3NTN 3NNN 4TTN"),
    ("0.3", 5, "1NNN 2NNN 3NNN 4TNN 4NTN 5TTT"),
    ("0.25", 4, "1NNN 1NNN 2TNN 2NNN 3TTN 2NTN"),
    ("0.25", 3, "1TNN 1NNN 2TTN"),
    ("0.2", 4, "1NNN 2NNN 3NNN 4NNN 4NNN"),
    ("0.33", 4, "1NNN 2NTN 3TNT 2NNN 2NNT"),
    ("0.33", 5, "1NNN 2NNN 3TNN 3NNN 4TTN 3NNT"),
    ("0.3", 3, "1NTN 1NNN 2TNN 2NNN 3TTT"),
    ("0.3", 4, "1TTT"),
    ("0.3", 4, "1NNN 2TTT 1TNN 1NNN"),
    ("0.2", 3, "1NNN 2TNN 2NNN 2NTN 3TTN"),
    ("0.25", 5, "1NNN 2NNN 3NNN 4NTN 4NNN 5TNT 4TNN"),
    ("0.3", 6, "1NNN 2NNN 3NNN 4NNN 5TNN 5NNN 6TTN 5NTN"),
    ("0.35", 4, "1NNN 2NNT 2NNN 3TNT 3NTN"),
    ("0.4", 4, "1NNN 2NTN 3TNT 3TNN 2NNN"),
    ("0.15", 4, "1NNN 2NNN 3TNN 3NNN 3NNN 4TNT"),
    ("0.3", 3, "1NNN 1NNN 1NNN 2NNN 2NNN 2NNN 3TNN 3TNN 3NNT"),
    ("0.3", 4, "1NNN 2NTN 2NNN 3NNN 4TTN 3TNN 3NNN"),
    ("0.25", 3, "1NTN 1NNN 1NNN 2NNN 2TNN 2NNN 3TTN 3NNN"),
    ("0.2", 5, "1NNN 2NNN 3TNN 3NNN 4TTN 3NNN 3NNT"),
    ("0.3", 5, "1NNN 2NNN 3NNN 4NNN 5NNN 5NNN"),
    ("0.3", 4, "1NNN 2TNN 2NNN 3NTT 2NNN"),
]

for target, levels, cohorts in CASES:
    npts, ntox = outcomes(levels, cohorts)
    selected = select_mtd(Fraction(target), npts, ntox)
    print(f"{target}\t{levels}\t{cohorts}\t{'NA' if selected is None else selected}")
