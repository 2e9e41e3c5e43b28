/**
 * Splitting one CSV line into fields per RFC 4180: a field may be quoted, and inside
 * quotes a comma is data and `""` is one quote. Vendor exports such as the iShares
 * holdings file quote numbers with thousands separators ("1,234,567.89"), which a plain
 * split(',') would cut in pieces. Line by line only: a quoted field spanning lines is
 * reported as unbalanced rather than guessed at (none of our sources produce one).
 */

/** The fields of `line` with quotes removed, or null when a quote is left open. */
export function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      // Quoted field: read up to the closing quote, "" being an escaped quote.
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = line.indexOf('"', from);
        if (quote < 0) return null;
        value += line.slice(from, quote);
        if (line.charCodeAt(quote + 1) === 34) {
          value += '"';
          from = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      // Text after the closing quote (malformed `"1"2`) is kept, not dropped, so a value
      // check sees "12" rather than a silently shortened "1".
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(value + line.slice(i, end));
      if (comma < 0) return fields;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}
