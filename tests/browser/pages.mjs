// Drives lodcat's pages for people in Debian's headless chromium, as a person would, and prints what it saw as JSON.
// Usage: node tests/browser/pages.mjs SERVER_URL ARTIFACTS
//   SERVER_URL  e.g. http://127.0.0.1:8123/ (a `lodcat serve` with the sample data)
//   ARTIFACTS   a folder for the screenshots (pages-*.png)
// The browser is CHROMIUM (default /usr/bin/chromium); playwright-core never downloads one.
// Output: {search, facet, projectCs, projectEn, acceptLanguage, lithuanian, region, notFound, keyboard,
//          requests, outsideRequests, failedRequests, consoleErrors, screenshots}
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [server, artifacts] = process.argv.slice(2);
if (!server || !artifacts) {
  console.error('usage: node tests/browser/pages.mjs SERVER_URL ARTIFACTS');
  process.exit(2);
}
const TIMEOUT = 30_000;
const SEED_001 = 'doc/project/vzdelani-pracovniku-socialni-sluzby';
const LITHUANIAN = 'doc/project/08.4.1-ESFA-V-405-01-0001';
await mkdir(artifacts, { recursive: true });

const profile = await mkdtemp(join(tmpdir(), 'lodcat-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
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
const screenshots = [];
context.on('request', (request) => requests.push(request.url()));
context.on('requestfailed', (request) =>
  failedRequests.push({ url: request.url(), error: request.failure()?.errorText ?? '' }),
);

// Text as a person reads it: no-break spaces are spaces, runs of white space are one.
const clean = (text) => (text ?? '').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();

async function shoot(page, name) {
  const path = join(artifacts, `pages-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  screenshots.push(path);
}

async function hits(page) {
  return {
    url: page.url(),
    count: clean(await page.textContent('.results h2 .count')),
    titles: await page.$$eval('ol.hits h3 a', (links) => links.map((link) => link.textContent.trim())),
    hrefs: await page.$$eval('ol.hits h3 a', (links) => links.map((link) => link.getAttribute('href'))),
  };
}

async function projectFacts(page) {
  const facts = await page.$$eval('dl.facts .fact', (rows) =>
    rows.map((row) => [row.querySelector('dt')?.textContent.trim(), row.querySelector('dd')?.innerText]),
  );
  return {
    lang: await page.getAttribute('html', 'lang'),
    h1: clean(await page.textContent('h1')),
    h1Lang: await page.getAttribute('h1', 'lang'),
    amounts: (await page.$$eval('table.funding td.amount', (cells) => cells.map((cell) => cell.innerText))).map(clean),
    facts: Object.fromEntries(facts.map(([label, value]) => [label, clean(value)])),
    text: clean(await page.innerText('main')),
  };
}

let report = {};
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));

  // Home page: the keyboard reaches the skip link first, then the search box is labelled.
  await page.goto(server);
  await page.keyboard.press('Tab');
  const keyboard = {
    firstFocus: clean(await page.evaluate(() => document.activeElement?.textContent)),
    searchLabel: clean(await page.textContent('label[for="q"]')),
  };
  await shoot(page, 'home');

  // Search the way a person does: type into the box, press Enter.
  await page.fill('#q', 'socialni sluzby');
  await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
  const search = await hits(page);
  await shoot(page, 'search');

  // A facet click narrows the list: the programme OP LZZ.
  const facetLink = page.locator('section.facet[aria-labelledby="facet-programme"] a[href*="programme=op-lzz"]');
  const facetLabel = clean(await facetLink.first().textContent());
  await Promise.all([page.waitForNavigation(), facetLink.first().click()]);
  const facet = { label: facetLabel, ...(await hits(page)) };
  facet.active = (await page.$$eval('.active-filters a', (links) => links.map((link) => link.textContent.trim()))).map(clean);
  await shoot(page, 'facet');

  // Seed 001 in Czech, chosen with the visible switch; then back to English the same way.
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'en-GB,en;q=0.9' });
  await page.goto(new URL(SEED_001, server).href);
  await Promise.all([page.waitForNavigation(), page.click('nav.languages a[hreflang="cs"]')]);
  const projectCs = await projectFacts(page);
  await shoot(page, 'project-cs');
  await page.goto(new URL(SEED_001, server).href); // the cookie keeps Czech
  projectCs.remembered = await page.getAttribute('html', 'lang');
  await Promise.all([page.waitForNavigation(), page.click('nav.languages a[hreflang="en"]')]);
  const projectEn = await projectFacts(page);
  await shoot(page, 'project-en');

  // Without a cookie, Accept-Language chooses.
  await context.clearCookies();
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'cs-CZ,cs;q=0.9,en;q=0.5' });
  await page.goto(new URL(SEED_001, server).href);
  const acceptLanguage = { lang: await page.getAttribute('html', 'lang'), amounts: (await projectFacts(page)).amounts };
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'en-GB,en;q=0.9' });
  await context.clearCookies();

  // The Lithuanian project: its title in Lithuanian, marked as such in an English interface.
  await page.goto(new URL(LITHUANIAN, server).href);
  const lithuanian = {
    h1: clean(await page.textContent('h1')),
    h1Lang: await page.getAttribute('h1', 'lang'),
    marker: clean(await page.textContent('.lang-note .lang-tag')),
    jsonLd: JSON.parse(await page.textContent('script[type="application/ld+json"]')),
  };
  await shoot(page, 'lithuanian');

  // A NUTS region's local page, with its charts; a page that does not exist.
  await page.goto(new URL('region/CZ051', server).href);
  const region = {
    h1: clean(await page.textContent('h1')),
    count: clean(await page.textContent('.results h2 .count')),
    charts: await page.$$eval('figure.chart svg', (svgs) => svgs.length),
  };
  await shoot(page, 'region');
  const errorsBefore404 = [...consoleErrors]; // the 404 page's own status is logged as an error
  const missing = await page.goto(new URL('doc/project/no-such-project', server).href);
  const notFound = {
    status: missing.status(),
    h1: clean(await page.textContent('h1')),
    searchBox: await page.$$eval('form[role="search"] input[name="q"]', (inputs) => inputs.length),
  };
  await shoot(page, 'not-found');

  const origin = new URL(server).origin;
  report = {
    search,
    facet,
    projectCs,
    projectEn,
    acceptLanguage,
    lithuanian,
    region,
    notFound,
    keyboard,
    requests: requests.length,
    outsideRequests: requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:')),
    failedRequests,
    consoleErrors: errorsBefore404,
    screenshots,
  };
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
