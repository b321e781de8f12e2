'use strict'
// Measures the web app's first load on a throttled connection in headless Chromium, and a first
// sync of one user's data, against a running Feidi (figures in BENCHMARKS.md):
//   node hooks/webapp/e2e/load_bench.js URL EMAIL PASSWORD [CHROMIUM]
// The connection is Chromium's network emulation (DevTools Network.emulateNetworkConditions):
// 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, with an empty cache. It reports the time
// to the sign-in form (the first usable screen), then signs in and reports the first sync's
// time and the longest task that blocked the page meanwhile (PerformanceObserver longtask).
const { chromium } = require('playwright-core')

const [url, email, password, exe = '/usr/lib/chromium/chromium'] = process.argv.slice(2)
if (!password) { console.error('usage: node load_bench.js URL EMAIL PASSWORD [CHROMIUM]'); process.exit(2) }

async function main() {
  const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] })
  const ctx = await browser.newContext({ viewport: { width: 360, height: 780 }, isMobile: true, locale: 'zh-CN' })
  const page = await ctx.newPage()
  const cdp = await ctx.newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8,
  })
  let bytes = 0
  cdp.on('Network.loadingFinished', e => { bytes += e.encodedDataLength })
  await page.addInitScript(() => {
    window.__longest = 0
    new PerformanceObserver(l => { for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration) })
      .observe({ type: 'longtask', buffered: true })
  })
  const t0 = Date.now()
  await page.goto(url + '/')
  await page.locator('input[name=email]').waitFor({ timeout: 60000 })
  const usable = Date.now() - t0
  const loadBytes = bytes
  const fcp = await page.evaluate(() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || 0)
  console.log(`first load to the sign-in form: ${usable} ms (first contentful paint ${Math.round(fcp)} ms), ${(loadBytes / 1024).toFixed(1)} KiB over the wire`)

  const longBefore = await page.evaluate(() => { const l = window.__longest; window.__longest = 0; return l })
  let records = 0
  page.on('response', async res => {
    if (!res.url().includes('/api/sync/pull')) return
    const body = await res.json()
    for (const c of Object.values(body.changes)) records += c.created.length + c.updated.length
  })
  await page.fill('input[name=email]', email)
  await page.fill('input[name=password]', password)
  const t1 = Date.now()
  await page.click('button[type=submit]')
  await page.waitForFunction(() => {
    const l = document.querySelector('[data-testid=last-sync]')
    return l && l.textContent.startsWith('上次同步') && !document.querySelector('[data-testid=sync-status]')
  }, null, { timeout: 120000 })
  const syncMs = Date.now() - t1
  const longest = await page.evaluate(() => window.__longest)
  console.log(`first load's longest task: ${Math.round(longBefore)} ms`)
  console.log(`sign-in and first sync of ${records} records: ${syncMs} ms; ` +
    `longest task blocking the page meanwhile: ${Math.round(longest)} ms`)
  await browser.close()
}

main().catch(err => { console.error(err); process.exit(1) })
