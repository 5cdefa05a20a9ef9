// Typeset TeX with KaTeX for book/_ext/katex_math.py, which starts this once per build:
//   node katex_render.js path/to/katex.js
// Reads one JSON request per line, {"tex": "...", "display": true}, and writes one JSON
// reply per line, {"html": "..."} or {"error": "..."}, in the same order.
"use strict";
const katex = require(process.argv[2]);
const readline = require("readline");

const lines = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
lines.on("line", (line) => {
  let reply;
  try {
    const request = JSON.parse(line);
    reply = {html: katex.renderToString(request.tex, {
      displayMode: Boolean(request.display),
      // A formula KaTeX cannot typeset, or typesets only by bending LaTeX's rules, is an
      // error here: the build reports it instead of a reader seeing red text.
      throwOnError: true,
      strict: "error",
      // The visible HTML, and MathML for screen readers.
      output: "htmlAndMathml",
    })};
  } catch (error) {
    reply = {error: String(error && error.message ? error.message : error)};
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
});
