"""Writes a CSV of the example's schema: feature_0..feature_{n-1}, a numeric category and a 0/1 label.

The label is the sign of a noisy linear score: two strong features, weak other features and a
per-category offset, so a 10-tree random forest learns it well (the tests assert an accuracy
floor on it) while every column still matters a little. Seeded: the same arguments give the same
bytes, which is how spark/data/sample.csv is checked against this generator.

    python spark/generate_dataset.py --rows 1000000 --out /tmp/big.csv
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from typing import TextIO

DEFAULTS = {"rows": 600, "features": 5, "categories": 4, "noise": 0.1, "seed": 7}
STRONG_FEATURES = 2


def generate(out: TextIO, rows: int, features: int, categories: int, noise: float, seed: int) -> None:
    rng = random.Random(seed)
    weights = [rng.choice((-1, 1)) * (1.5 if i < STRONG_FEATURES else 0.1) for i in range(features)]
    offsets = [rng.uniform(-1.5, 1.5) for _ in range(categories)]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*(f"feature_{i}" for i in range(features)), "category", "label"])
    for _ in range(rows):
        x = [rng.gauss(0.0, 1.0) for _ in range(features)]
        category = rng.randrange(categories)
        score = sum(w * v for w, v in zip(weights, x)) + offsets[category] + rng.gauss(0.0, noise)
        writer.writerow([*(f"{v:.4f}" for v in x), category, int(score > 0)])


def positive_int(name: str, minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"--{name}={text!r}: expected a whole number >= {minimum}")
        return value

    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=positive_int("rows", 1), default=DEFAULTS["rows"])
    parser.add_argument("--features", type=positive_int("features", 1), default=DEFAULTS["features"])
    parser.add_argument("--categories", type=positive_int("categories", 2), default=DEFAULTS["categories"])
    parser.add_argument("--noise", type=float, default=DEFAULTS["noise"], help="stddev of the label noise")
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    parser.add_argument("--out", default="-", help="output file (default: stdout)")
    args = parser.parse_args(argv)
    params = dict(rows=args.rows, features=args.features, categories=args.categories, noise=args.noise, seed=args.seed)
    if args.out == "-":
        generate(sys.stdout, **params)
    else:
        with open(args.out, "w", newline="", encoding="utf-8") as out:
            generate(out, **params)
    return 0


if __name__ == "__main__":
    sys.exit(main())
