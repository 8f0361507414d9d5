/**
 * Plain-text tables for terminals and logs: columns padded to their widest cell, numbers aligned
 * right, no borders.
 *
 * @module
 */
import { visibleLength } from './style';

/** How a column is aligned. */
export type Alignment = 'left' | 'right';

/**
 * Renders rows as lines of text, two spaces between columns, each line indented by `indent`.
 *
 * @example
 * ```ts
 * renderTable([['users', '12'], ['groups', '3']], { align: ['left', 'right'] });
 * // '  users   12\n  groups   3\n'
 * ```
 */
export function renderTable(
  rows: readonly (readonly string[])[],
  options: { readonly align?: readonly Alignment[]; readonly indent?: number } = {},
): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, visibleLength(cell));
    });
  }
  const indent = ' '.repeat(options.indent ?? 2);
  return rows
    .map((row) => {
      const cells = row.map((cell, index) => {
        const pad = ' '.repeat((widths[index] ?? 0) - visibleLength(cell));
        if (options.align?.[index] === 'right') return pad + cell;
        return index === row.length - 1 ? cell : cell + pad;
      });
      return `${indent}${cells.join('  ')}\n`;
    })
    .join('');
}
