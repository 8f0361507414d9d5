/**
 * A custom datastore adapter: people and groups from two CSV files, for the engine to provision
 * like any directory. docs/custom-adapter.md walks through it; test/examples/csv-datastore.test.ts
 * runs it through the same contract suite as the shipped adapters.
 *
 * users.csv: a header line, then one person per line. `id` (stable for the person's whole life,
 * such as an HR employee id) and `status` (`active` or `disabled`) are required columns; every
 * other column becomes an attribute the mapping can use (userName, givenName, email, ...).
 *
 * groups.csv: `id`, `name`, and `members`: the ids of member people or groups, separated by spaces.
 *
 * Fields may be quoted ("Smith, Jr."), with "" for a quote inside; a field cannot span lines.
 * The files are read again on every call, line by line (never loaded whole).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export class CsvDatastore {
  #usersFile;
  #groupsFile;
  #inScope;

  /**
   * @param options.usersFile path of users.csv
   * @param options.groupsFile path of groups.csv (optional: no groups without it)
   * @param options.inScope which people to provision, given a row (default: everyone)
   */
  constructor({ usersFile, groupsFile, inScope = () => true }) {
    if (typeof usersFile !== 'string') throw new TypeError('CsvDatastore: usersFile is required');
    this.#usersFile = usersFile;
    this.#groupsFile = groupsFile;
    this.#inScope = inScope;
  }

  /** Every person in scope. */
  async *users(options = {}) {
    for await (const row of readCsv(this.#usersFile, ['id', 'status'])) {
      if (this.#inScope(row)) yield toUser(row, options.attributes);
    }
  }

  /** One person in scope by id, or undefined. */
  async user(id, options = {}) {
    for await (const user of this.users(options)) if (user.id === id) return user;
    return undefined;
  }

  /** The ids of everything in scope (the engine compares them with what it provisioned, to find removals). */
  async ids() {
    const users = new Set();
    for await (const row of readCsv(this.#usersFile, ['id', 'status']))
      if (this.#inScope(row)) users.add(row.id);
    const groups = new Set();
    if (this.#groupsFile !== undefined) {
      for await (const row of readCsv(this.#groupsFile, ['id', 'name', 'members'])) groups.add(row.id);
    }
    return { users, groups };
  }

  /** Every group, with its members that are in scope. */
  async *groups(options = {}) {
    if (this.#groupsFile === undefined) return;
    const scope = await this.ids();
    for await (const row of readCsv(this.#groupsFile, ['id', 'name', 'members'])) {
      const memberIds = row.members
        .split(/\s+/)
        .filter((id) => id !== '' && (scope.users.has(id) || scope.groups.has(id)));
      yield {
        id: row.id,
        name: row.name,
        memberIds: [...new Set(memberIds)],
        attributes: pick({ name: row.name }, options.attributes),
      };
    }
  }
}

function toUser(row, wanted) {
  const { id, status, ...attributes } = row;
  return { id, disabled: status.trim().toLowerCase() === 'disabled', attributes: pick(attributes, wanted) };
}

/** The attributes asked for (matched without regard to case, named as asked), or all of them. */
function pick(attributes, wanted) {
  const present = Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== ''));
  if (wanted === undefined) return present;
  const byLowerName = new Map(Object.keys(present).map((name) => [name.toLowerCase(), name]));
  const picked = {};
  for (const name of wanted) {
    const found = byLowerName.get(name.toLowerCase());
    if (found !== undefined) picked[name] = present[found];
  }
  return picked;
}

/** Rows of a CSV file as objects keyed by the header; throws when the file or a required column is missing. */
async function* readCsv(file, required) {
  const input = createReadStream(file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let header;
  let number = 0;
  try {
    for await (const line of lines) {
      number += 1;
      if (line.trim() === '') continue;
      const fields = parseLine(line, file, number);
      if (header === undefined) {
        header = fields.map((name) => name.trim());
        const missing = required.filter((name) => !header.includes(name));
        if (missing.length > 0) throw new Error(`${file}: the header has no ${missing.join(', ')} column`);
        continue;
      }
      if (fields.length !== header.length) {
        throw new Error(`${file} line ${number}: ${fields.length} fields, the header has ${header.length}`);
      }
      yield Object.fromEntries(header.map((name, index) => [name, fields[index]]));
    }
  } finally {
    // Also when the reader stops early: release the file.
    lines.close();
    input.destroy();
  }
  if (header === undefined) throw new Error(`${file}: empty, expected a header line`);
}

/** The fields of one CSV line (RFC 4180 quoting, without fields that span lines). */
function parseLine(line, file, number) {
  const fields = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const character = line[index];
    if (quoted) {
      if (character === '"' && line[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') {
        quoted = false;
      } else {
        field += character;
      }
    } else if (character === '"' && field === '') {
      quoted = true;
    } else if (character === ',') {
      fields.push(field);
      field = '';
    } else {
      field += character;
    }
  }
  if (quoted) throw new Error(`${file} line ${number}: a quoted field is not closed`);
  fields.push(field);
  return fields;
}
