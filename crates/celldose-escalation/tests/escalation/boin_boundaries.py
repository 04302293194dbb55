#!/usr/bin/env python3
"""BOIN count tables worked out independently of celldose, with exact fractions.

For each target phi (phi1 = 0.6 phi, phi2 = 1.4 phi, cohorts of 3, n up to 30) and each n:
- escalate if t <= e(n), the largest t with t/n <= lambda_e;
- de-escalate if t >= d(n), the smallest t with t/n >= lambda_d;
- eliminate if t >= x(n), the smallest t with P(p > phi | t, n) > 0.95 under Beta(1, 1), n >= 3.

Unlike celldose, this script computes lambda_e and lambda_d with floating-point logarithms to 60
digits (mpmath is not needed: decimal's ln at 60 digits), compares t/n with them directly, and
integrates the Beta tail as a Fraction sum. Run: python3 boin_boundaries.py > boin_boundaries.txt
"""
from decimal import Decimal, getcontext
from fractions import Fraction
from math import comb

getcontext().prec = 60


def lambdas(phi):
    phi1, phi2 = Decimal("0.6") * phi, Decimal("1.4") * phi
    le = ((1 - phi1) / (1 - phi)).ln() / ((phi * (1 - phi1)) / (phi1 * (1 - phi))).ln()
    ld = ((1 - phi) / (1 - phi2)).ln() / ((phi2 * (1 - phi)) / (phi * (1 - phi2))).ln()
    return le, ld


def beta_tail_above(phi, n, t):
    # P(p > phi) for p ~ Beta(t + 1, n - t + 1): integrate the density from phi to 1 exactly,
    # expanding (1 - p)^(n - t) by the binomial theorem.
    a, b = t + 1, n - t + 1
    norm = Fraction(1, 1)
    # 1 / B(a, b) = (a + b - 1)! / ((a - 1)! (b - 1)!)
    norm = Fraction(comb(a + b - 2, a - 1) * (a + b - 1), 1)
    total = Fraction(0)
    for j in range(b):
        coeff = comb(b - 1, j) * (-1) ** j
        power = a + j  # integral of p^(a - 1 + j) from phi to 1
        total += Fraction(coeff, power) * (1 - phi ** power)
    return norm * total


def table(phi_text, max_n=30, cohort=3):
    phi = Decimal(phi_text)
    le, ld = lambdas(phi)
    fphi = Fraction(phi_text)
    rows = []
    for n in range(cohort, max_n + 1, cohort):
        e = max(t for t in range(n + 1) if Decimal(t) / n <= le)
        d = next((t for t in range(n + 1) if Decimal(t) / n >= ld), None)
        x = next((t for t in range(n + 1) if n >= 3 and beta_tail_above(fphi, n, t) > Fraction(95, 100)), None)
        rows.append((n, e, d, x))
    return le, ld, rows


def show(value):
    return "NA" if value is None else str(value)


for phi in ["0.2", "0.25", "0.3", "0.33"]:
    le, ld, rows = table(phi)
    print(f"target {phi} lambda_e {le:.4f} lambda_d {ld:.4f}")
    print("n " + " ".join(str(r[0]) for r in rows))
    print("escalate " + " ".join(show(r[1]) for r in rows))
    print("de-escalate " + " ".join(show(r[2]) for r in rows))
    print("eliminate " + " ".join(show(r[3]) for r in rows))
