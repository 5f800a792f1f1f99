/**
 * Writes `JSON.stringify(value, null, 2)` of an object in pieces, streaming its large array
 * members (`arrayKeys`) element by element, so a 100k-session report never exists as one string.
 * The bytes are identical to the one-shot form (a test checks it).
 */
export function writeJsonStreaming(value: Record<string, unknown>, arrayKeys: string | readonly string[], write: (chunk: string) => void): void {
  const streamed = new Set(typeof arrayKeys === 'string' ? [arrayKeys] : arrayKeys);
  const keys = Object.keys(value).filter((key) => value[key] !== undefined);
  const CHUNK = 1 << 16;
  let buffer = '{\n';
  const flush = (force: boolean): void => {
    if (buffer.length >= CHUNK || (force && buffer.length > 0)) {
      write(buffer);
      buffer = '';
    }
  };
  keys.forEach((key, index) => {
    const comma = index < keys.length - 1 ? ',' : '';
    const item = value[key];
    if (streamed.has(key) && Array.isArray(item) && item.length > 0) {
      buffer += `  ${JSON.stringify(key)}: [\n`;
      // Serialise in batches nested at the array's real depth, so V8 does the indenting.
      const BATCH = 100;
      for (let start = 0; start < item.length; start += BATCH) {
        const nested = JSON.stringify({ [key]: item.slice(start, start + BATCH) }, null, 2);
        const body = nested.slice(nested.indexOf('[\n') + 2, nested.lastIndexOf('\n  ]'));
        buffer += `${body}${start + BATCH < item.length ? ',' : ''}\n`;
        flush(false);
      }
      buffer += `  ]${comma}\n`;
    } else {
      buffer += `  ${JSON.stringify(key)}: ${indent(JSON.stringify(item, null, 2), '  ')}${comma}\n`;
    }
    flush(false);
  });
  buffer += '}\n';
  flush(true);
}

function indent(text: string, pad: string): string {
  return text.includes('\n') ? text.replaceAll('\n', `\n${pad}`) : text;
}
