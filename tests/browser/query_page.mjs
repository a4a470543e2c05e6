// Drives the query page (/query) in Debian's headless chromium and prints what a person would see, as JSON.
// Usage: node tests/browser/query_page.mjs SERVER_URL EXAMPLE SCREENSHOT
//   SERVER_URL  e.g. http://127.0.0.1:8123/ (the page is SERVER_URL + "query")
//   EXAMPLE     the example to pick, by its docs/queries file name without .rq
//   SCREENSHOT  where to write a PNG of the page with the results
// Output: {options, highlighted, columns, rows, truncatedNotice (its text, or null when hidden),
//   downloads: [{label, accept, status, contentType, filename, body}], completions, requests,
//   failedRequests, consoleErrors}
// The browser is CHROMIUM (default /usr/bin/chromium); playwright-core never downloads one.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [server, exampleName, screenshot] = process.argv.slice(2);
if (!server || !exampleName || !screenshot) {
  console.error('usage: node tests/browser/query_page.mjs SERVER_URL EXAMPLE SCREENSHOT');
  process.exit(2);
}
const TIMEOUT = 30_000;

const profile = await mkdtemp(join(tmpdir(), 'lodcat-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1280, height: 900 },
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

const requests = [];
const failedRequests = [];
const consoleErrors = [];
context.on('request', (request) => requests.push(request.url()));
context.on('requestfailed', (request) =>
  failedRequests.push({ url: request.url(), error: request.failure()?.errorText ?? '' }),
);

try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));

  await page.goto(new URL('query', server).href);
  await page.waitForSelector('#query-page[data-ready="true"] .CodeMirror');
  const options = await page.$$eval('#example option', (nodes) =>
    nodes.filter((node) => node.value).map((node) => ({ name: node.value, title: node.textContent.trim() })),
  );

  // Pick the example the way a person does, and wait until the editor holds its query.
  await page.selectOption('#example', exampleName);
  const examples = await (await page.request.get(new URL('query/examples.json', server).href)).json();
  const wanted = examples.find((example) => example.name === exampleName);
  await page.waitForFunction(
    (text) => document.querySelector('.CodeMirror').CodeMirror.getValue() === text,
    wanted.query,
  );
  const highlighted = await page.$$eval('.CodeMirror .cm-keyword', (nodes) =>
    [...new Set(nodes.map((node) => node.textContent.trim().toUpperCase()))],
  );

  // Run it with the editor's own button and read the table YASR draws.
  const answered = page.waitForResponse((response) => new URL(response.url()).pathname === '/sparql');
  await page.click('.yasqe_queryButton');
  await answered;
  await page.waitForSelector('#results table tbody tr td');
  const columns = await page.$$eval('#results table thead th', (nodes) =>
    nodes.map((node) => node.textContent.trim()),
  );
  const rows = await page.$$eval('#results table tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
  );
  const truncatedNotice = (await page.isVisible('#truncated')) ? (await page.textContent('#truncated')).trim() : null;
  await page.screenshot({ path: screenshot, fullPage: true });

  // Each download button asks /sparql for its format; keep what the server said and what was saved.
  const downloads = [];
  for (const button of await page.$$('#downloads button')) {
    const label = (await button.textContent()).trim();
    const accept = await button.getAttribute('data-accept');
    const [download, response] = await Promise.all([
      page.waitForEvent('download'),
      page.waitForResponse(
        (response) =>
          new URL(response.url()).pathname === '/sparql' && response.request().headers()['accept'] === accept,
      ),
      button.click(),
    ]);
    downloads.push({
      label,
      accept,
      status: response.status(),
      contentType: response.headers()['content-type'] ?? '',
      filename: download.suggestedFilename(),
      body: await readFile(await download.path(), 'utf-8'),
    });
  }

  // Prefix completion: typing a PREFIX declaration offers lodcat's own namespace.
  await page.evaluate(() => document.querySelector('.CodeMirror').CodeMirror.setValue(''));
  await page.click('.CodeMirror');
  await page.keyboard.type('PREFIX lodc');
  await page.waitForSelector('.CodeMirror-hints .CodeMirror-hint');
  const completions = await page.$$eval('.CodeMirror-hints .CodeMirror-hint', (nodes) =>
    nodes.map((node) => node.textContent.trim()),
  );

  console.log(
    JSON.stringify({
      options,
      highlighted,
      columns,
      rows,
      truncatedNotice,
      downloads,
      completions,
      requests,
      failedRequests,
      consoleErrors,
    }),
  );
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
