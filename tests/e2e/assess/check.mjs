// check.mjs -- small checks for tests/e2e/test_assess.sh, so the shell
// script does not parse JSON or HTML itself.
//
//   node check.mjs json FILE 'JS expression over r'  -> prints the value
//   node check.mjs jsonl FILE 'JS expression over rows' -> prints the value
//   node check.mjs html FILE  -> "ok" when the HTML is well-formed and
//                               self-contained, else the first problem
import fs from 'node:fs';

const [mode, file, expr] = process.argv.slice(2);
const text = fs.readFileSync(file, 'utf8');

if (mode === 'json') {
  const r = JSON.parse(text);
  console.log(JSON.stringify(eval(expr)));
} else if (mode === 'jsonl') {
  const rows = text.split('\n').filter((l) => l.length).map((l) => JSON.parse(l));
  console.log(JSON.stringify(eval(expr)));
} else if (mode === 'html') {
  const VOID = new Set(['meta', 'br', 'img', 'link', 'input', 'hr']);
  const stack = [];
  let problem = null;
  if (!text.startsWith('<!DOCTYPE html>')) problem = 'no doctype';
  const body = text.replace(/^<!DOCTYPE html>/, '');
  // Everything outside tags must be plain text with entities.
  const outside = body.replace(/<[^<>]*>/g, '');
  if (/[<>]/.test(outside)) problem = problem ?? 'stray < or > in text';
  if (/&(?![a-z]+;|#[0-9]+;)/.test(outside)) problem = problem ?? 'bare &';
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^<>]*?)(\/?)>/g)) {
    const [, close, name, attrs, self] = m;
    if (/\b(src|href)\s*=/.test(attrs) || name === 'script' || name === 'link')
      problem = problem ?? `external reference in <${name}${attrs}>`;
    if ((attrs.match(/"/g) ?? []).length % 2) problem = problem ?? `bad quotes in <${name}>`;
    if (self || VOID.has(name.toLowerCase())) continue;
    if (!close) stack.push(name);
    else if (stack.pop() !== name) problem = problem ?? `</${name}> closes the wrong element`;
  }
  if (stack.length) problem = problem ?? `unclosed <${stack.pop()}>`;
  if (!/<svg[\s>]/.test(body)) problem = problem ?? 'no inline SVG chart';
  console.log(problem ?? 'ok');
}
