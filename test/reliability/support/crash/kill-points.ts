/**
 * Where to kill the crash child: after K operations, K drawn with a seeded generator over the
 * operation count of an uninterrupted run, always including 0 (before the first operation), the
 * last operation (the kill lands in the final state compaction), and points among the group and
 * membership writes.
 */
import { seededRandom } from './directory';

/**
 * `count` kill points (sorted, repeats allowed) for a run whose operations printed `marks`.
 *
 * @param marks - the operation marks of an uninterrupted run, in order (see `marks.ts`).
 */
export function killPoints(marks: string, count: number, seed: number): number[] {
  const total = marks.length;
  const random = seededRandom(seed);
  const points = [0, total];
  // Group writes (creates, renames, member PATCHes): at least a quarter of the points.
  const groupWrites: number[] = [];
  for (let index = 0; index < marks.length; index++) {
    if (marks[index] === 'g' || marks[index] === 'm') groupWrites.push(index + 1);
  }
  const amongGroups = Math.min(groupWrites.length, Math.ceil(count / 4));
  for (let pick = 0; pick < amongGroups; pick++) {
    points.push(groupWrites[Math.floor(random() * groupWrites.length)] as number);
  }
  while (points.length < count) points.push(Math.floor(random() * (total + 1)));
  return points.slice(0, count).sort((a, b) => a - b);
}
