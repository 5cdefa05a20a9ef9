// Lighthouse (mobile preset) over several pages in one Chromium, for tools/site_audit.py.
//
//   node tools/lighthouse/audit.mjs request.json summary.json
//
// request.json: {"urls": [...], "categories": ["accessibility", ...], "chrome": "/usr/bin/chromium",
//                "chromeFlags": [...]}. summary.json gets one entry per URL: the category
// scores (0 to 100), the bytes transferred and requests made, the main timings, and every
// audit that scored below 1, so that a failing score says why.
import fs from "node:fs";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const [requestPath, summaryPath] = process.argv.slice(2);
const request = JSON.parse(fs.readFileSync(requestPath, "utf8"));
const chrome = await chromeLauncher.launch({
  chromePath: request.chrome,
  chromeFlags: ["--headless=new", ...request.chromeFlags],
  logLevel: "silent",
});
const summary = [];
try {
  for (const url of request.urls) {
    const result = await lighthouse(url, {
      port: chrome.port, output: "json", logLevel: "error",
      onlyCategories: request.categories,
    });
    const lhr = result.lhr;
    const audit = (id) => lhr.audits[id] || {};
    const failing = [];
    for (const [category, {auditRefs}] of Object.entries(lhr.categories)) {
      for (const ref of auditRefs) {
        const a = lhr.audits[ref.id];
        if (ref.weight > 0 && a && a.score !== null && a.score < 1) {
          failing.push({category, id: ref.id, title: a.title, score: a.score,
                        value: a.displayValue || ""});
        }
      }
    }
    const requests = audit("network-requests").details;
    summary.push({
      url,
      runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null,
      scores: Object.fromEntries(Object.entries(lhr.categories).map(
        ([id, c]) => [id, c.score === null ? null : Math.round(c.score * 100)])),
      totalBytes: audit("total-byte-weight").numericValue ?? null,
      requests: requests ? requests.items.length : null,
      timings: Object.fromEntries(["first-contentful-paint", "largest-contentful-paint",
        "total-blocking-time", "cumulative-layout-shift", "speed-index"].map(
        (id) => [id, audit(id).numericValue ?? null])),
      failing,
    });
  }
} finally {
  await chrome.kill();
}
fs.writeFileSync(summaryPath, JSON.stringify(summary, null, 1));
