'use strict';
/**
 * What the build adds to the functions.json that custom-functions-metadata generates from
 * the JSDoc, and the help page the functions' helpUrl points at.
 *
 * - allowCustomDataForDataTypeAny: lets a function declared `any` return Excel data types
 *   (IWM.READING's entity card, the tables' formatted dates). The generator has no tag for
 *   this top-level switch, so it is set here.
 * - helpUrl: one anchor per function on help/functions.html, served with the add-in, so the
 *   URL follows the build's host like every other URL (scripts/manifests.js).
 * - rules Excel and the unified manifest enforce and the generator does not: ids of at least
 *   three characters, upper case, unique.
 */
const { urls } = require('./manifests');

/** Problems with the functions' ids and names (empty when none). */
function metadataProblems(metadata) {
  const problems = [];
  const seen = new Set();
  for (const fn of metadata.functions) {
    if (!/^[A-Z][A-Z0-9._]{2,63}$/.test(fn.id)) {
      problems.push(`function id ${fn.id} must be 3 to 64 characters, upper case letters, digits, . or _`);
    }
    if (fn.name.length < 3) problems.push(`function name ${fn.name} must have at least 3 characters`);
    if (seen.has(fn.id)) problems.push(`function id ${fn.id} is declared twice`);
    seen.add(fn.id);
  }
  return problems;
}

/** functions.json as the flavour ships it. */
function finishMetadata(metadata, f) {
  const help = urls(f).help;
  return {
    allowCustomDataForDataTypeAny: true,
    ...metadata,
    functions: metadata.functions.map((fn) => ({ ...fn, helpUrl: `${help}#${fn.id}` })),
  };
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** help/functions.html: every function with its parameters, one anchor (its id) each. */
function renderHelp(metadata, namespace = 'IWM') {
  const sections = metadata.functions
    .map((fn) => {
      const args = fn.parameters.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(', ');
      const rows = fn.parameters
        .map(
          (p) =>
            `<tr><td><code>${esc(p.name)}</code>${p.optional ? ' (optional)' : ''}</td><td>${esc(p.description ?? '')}</td></tr>`,
        )
        .join('\n');
      return `<section id="${esc(fn.id)}">
<h2><code>=${namespace}.${esc(fn.name)}(${esc(args)})</code></h2>
<p>${esc(fn.description ?? '')}</p>
${rows ? `<table><thead><tr><th>Argument</th><th>Meaning</th></tr></thead><tbody>\n${rows}\n</tbody></table>` : ''}
</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${namespace} functions: IWM Signal Analyzer</title>
<style>body{font-family:"Segoe UI",system-ui,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem;line-height:1.45}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
section{margin-bottom:1.5rem}:target{background:#fff8d6}</style></head>
<body>
<h1>${namespace} worksheet functions</h1>
<p>Generated from the add-in's function metadata. Dates accept a date, "YYYY-MM-DD" text, or -N for the N-th last session.</p>
${sections}
</body>
</html>
`;
}

module.exports = { finishMetadata, metadataProblems, renderHelp };
