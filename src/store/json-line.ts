/**
 * One JSON line (`JSON.stringify(record)` plus a newline) written in pieces of about 64 KiB, one
 * member of a large object at a time, so a journal record of 50k planned entries never exists as
 * one 100 MiB string plus its encoded copy (issue 16 #10). The bytes are those of the one-shot
 * form (test/unit/json-line.test.ts).
 */
import { writeSync } from 'node:fs';

const CHUNK = 1 << 16;

/** The text of `JSON.stringify(record) + '\n'`, in pieces; `streamKey`'s object is produced member by member. */
export function* jsonLineChunks(record: Record<string, unknown>, streamKey: string): Generator<string> {
  let out = '{';
  let first = true;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key === streamKey && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      out += `${first ? '' : ','}${JSON.stringify(key)}:{`;
      first = false;
      let firstMember = true;
      const members = value as Record<string, unknown>;
      for (const member of Object.keys(members)) {
        // JSON.stringify leaves out what has no JSON form (undefined, functions).
        const text = JSON.stringify(members[member]) as string | undefined;
        if (text === undefined) continue;
        out += `${firstMember ? '' : ','}${JSON.stringify(member)}:${text}`;
        firstMember = false;
        if (out.length >= CHUNK) {
          yield out;
          out = '';
        }
      }
      out += '}';
      continue;
    }
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  yield `${out}}\n`;
}

/** Writes the line to `fd` completely (a short write is continued); errors are the file system's. */
export function writeJsonLineSync(fd: number, record: Record<string, unknown>, streamKey: string): void {
  for (const chunk of jsonLineChunks(record, streamKey)) {
    const bytes = Buffer.from(chunk, 'utf8');
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  }
}
