import { describe, expect, it } from 'vitest';
import { CreateIntents } from '../../src/engine/create-intents';
import type { StateChange } from '../../src/engine/state/changes';

function recorder(fail?: (changes: readonly StateChange[]) => boolean) {
  const records: StateChange[][] = [];
  const commit = async (changes: readonly StateChange[]) => {
    await Promise.resolve();
    if (fail?.(changes) === true) throw new Error('disk full');
    records.push([...changes]);
  };
  return { records, commit };
}

const creates = Array.from({ length: 10 }, (_unused, index) => ({
  sourceId: `u${index}`,
  matchKey: `user${index}`,
}));

describe('CreateIntents', () => {
  it('records the intents of the next creates in one record, before the first create may start', async () => {
    const { records, commit } = recorder();
    const intents = new CreateIntents(commit, () => 1, 4);
    intents.plan(creates);
    await intents.ready(creates[0] as (typeof creates)[number]);
    expect(records).toHaveLength(1);
    expect(records[0]?.map((change) => (change as { sourceId: string }).sourceId)).toEqual([
      'u0',
      'u1',
      'u2',
      'u3',
    ]);
    expect(records[0]?.every((change) => change.type === 'beginCreate')).toBe(true);
    for (const create of creates.slice(1, 4)) await intents.ready(create);
    expect(records).toHaveLength(1);
    await intents.ready(creates[4] as (typeof creates)[number]);
    expect(records).toHaveLength(2);
  });

  it('records alone a create the phase did not plan, and one taken out of order', async () => {
    const { records, commit } = recorder();
    const intents = new CreateIntents(commit, () => 1, 3);
    intents.plan(creates);
    await intents.ready({ sourceId: 'other', matchKey: 'other' });
    expect(records).toEqual([
      [{ type: 'beginCreate', kind: 'user', sourceId: 'other', matchKey: 'other', at: 1 }],
    ]);
    await intents.ready(creates[5] as (typeof creates)[number]);
    // Everything up to the create asked for is recorded, so that no planned create is skipped.
    expect(records[1]?.map((change) => (change as { sourceId: string }).sourceId)).toEqual([
      'u0',
      'u1',
      'u2',
      'u3',
      'u4',
      'u5',
    ]);
  });

  it('abandons the intents of creates that never started when the phase ends', async () => {
    const { records, commit } = recorder();
    const intents = new CreateIntents(commit, () => 1, 4);
    intents.plan(creates);
    await intents.ready(creates[0] as (typeof creates)[number]);
    await intents.ready(creates[1] as (typeof creates)[number]);
    await intents.release();
    expect(records.at(-1)).toEqual([
      { type: 'abandonCreate', kind: 'user', sourceId: 'u2' },
      { type: 'abandonCreate', kind: 'user', sourceId: 'u3' },
    ]);
  });

  it('fails every create of a batch whose record failed, and abandons nothing of it', async () => {
    const { records, commit } = recorder((changes) => changes[0]?.type === 'beginCreate');
    const intents = new CreateIntents(commit, () => 1, 4);
    intents.plan(creates);
    await expect(intents.ready(creates[0] as (typeof creates)[number])).rejects.toThrow('disk full');
    await expect(intents.ready(creates[1] as (typeof creates)[number])).rejects.toThrow('disk full');
    await intents.release();
    expect(records).toEqual([]);
  });
});
