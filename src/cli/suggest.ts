/**
 * "Did you mean …?" for a mistyped command or flag: the known word closest to what was typed,
 * when it is close enough to be a typo (a swapped, missing, extra or wrong letter or two).
 *
 * @module
 */

/** The most edits a typo may need, for a word of `length` letters: 1 up to 4 letters, else 2. */
function tolerance(length: number): number {
  return length <= 4 ? 1 : 2;
}

/** The candidate closest to `typed` within the typo tolerance, if any (the first one on a tie). */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = tolerance(typed.length) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(typed.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `: did you mean "watch"?`, or nothing. */
export function didYouMean(typed: string, candidates: readonly string[], quote = '"'): string {
  const guess = closest(typed, candidates);
  return guess === undefined ? '' : `: did you mean ${quote}${guess}${quote}?`;
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring letters each count 1 (`wacth` is one edit from `watch`).
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = distance;
    }
  }
  return at(a.length, b.length);
}
